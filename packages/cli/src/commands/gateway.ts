import { startGateway } from '@graylane/gateway';
import { parseFlags, usageError } from '../command-failure.js';
import { clientFlagSpec, clientFlagsHelp, clientSettings } from '../control-plane/client-flags.js';
import { readTls, tlsFlagSpec, tlsFlagsHelp } from '../control-plane/tls-flags.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane gateway [options]

Runs the ingress gateway (app "gateway"): GatewayRoute resources send paths to
apps, lanes whose entry includes "gateway" tag untagged requests, and each
request goes to an instance with its tag (or the lane's fallback). Routes and
lanes apply live from the control plane.

options:
${clientFlagsHelp}
  --port N            port to listen on (default 20000; 0 picks a free one)
  --host H            interface to listen on (default: all)
${tlsFlagsHelp(22)}

An https:// --server must present a certificate from the system store or from the CA
in GRAYLANE_CA (a PEM file or its text).`;

const gateway: Command = async (args) => {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      ...clientFlagSpec,
      ...tlsFlagSpec,
      port: { type: 'string', default: '20000' },
      host: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`--port ${values.port} is not a port number`, USAGE);
  }
  const settings = clientSettings(values);
  const running = await startGateway({ ...settings, port, host: values.host, tls: readTls(values, USAGE) });
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
};

export default gateway;
