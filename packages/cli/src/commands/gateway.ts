import { parseArgs } from 'node:util';
import { formatError, isGraylaneError } from '@graylane/core';
import { startGateway } from '@graylane/gateway';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane gateway [options]

Runs the ingress gateway (app "gateway"): GatewayRoute resources send paths to
apps, lanes whose entry includes "gateway" tag untagged requests, and each
request goes to an instance with its tag (or the lane's fallback). Routes and
lanes apply live from the control plane.

options:
${clientFlagsHelp}
  --port N            port to listen on (default 20000; 0 picks a free one)
  --host H            interface to listen on (default: all)`;

const gateway: Command = async (args) => {
  let values: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args,
      options: { ...clientFlagSpec, port: { type: 'string', default: '20000' }, host: { type: 'string' } },
    }).values;
  }
  try {
    values = parse();
  } catch (error) {
    console.error(`graylane gateway: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`graylane gateway: --port ${values.port} is not a port number\n\n${USAGE}`);
    return 2;
  }
  const settings = clientSettings(values);
  try {
    const running = await startGateway({ ...settings, port, host: values.host });
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        running.close().then(resolve, resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    console.log(
      `graylane gateway listening on ${running.url} (control plane ${settings.server}, namespace ${settings.namespace})`,
    );
    await stopped;
    return 0;
  } catch (error) {
    console.error(`error: ${isGraylaneError(error) ? formatError(error) : String(error)}`);
    return 1;
  }
};

export default gateway;
