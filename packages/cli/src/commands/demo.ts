import { parseFlags } from '../command-failure.js';
import { checkDemo } from '../demo/check-demo.js';
import { startDemo } from '../demo/run-demo.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane demo [--check] [--port 20000] [--server-port 7070]

Starts the reference scenario: a local RocketMQ, the control plane, the gateway,
and services A → B → C (each baseline and gray) under the agent, with the lane
name=xiaoming → gray and message grayscale. Ctrl-C stops everything it started.

  --check          assert the reference document's Steps 5 and 6 and exit (0 = all held)
  --port P         gateway port (default 20000; --check picks a free one)
  --server-port P  control plane port (default 7070; --check picks a free one)`;

function tour(gateway: string, server: string, token: string): string {
  return `
Graylane demo is running.

  Synchronous path (Step 5 of the reference document):
    curl '${gateway}/A/dubbo?name=xiaoming'   # A[..][gray] -> B[..][gray] -> C[..][gray]
    curl '${gateway}/A/dubbo?name=anyone'     # A[..][base] -> B[..][base] -> C[..][base]

  Asynchronous path: C produces to TEST_MQ after each call and A consumes it; the
  lines "topic:TEST_MQ,producer:...,invoke result:..." appear below, prefixed by the instance.
  Before Step 6 the baseline A also consumes the gray messages. Make it ignore them
  (no restart of A):
    GRAYLANE_SERVER=${server} GRAYLANE_TOKEN=${token} npx graylane apply -f - <<'YAML'
    apiVersion: graylane.io/v1
    kind: MessageGrayscale
    metadata: { name: spring-cloud-a }
    spec: { enabled: true, filter: sql92, baselineIgnoredTags: [gray] }
    YAML

  Console: ${server}/  (sign in with the admin token below)
  Admin token (shown once): ${token}

Ctrl-C stops every process the demo started.
`;
}

const demo: Command = async (args) => {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      check: { type: 'boolean' },
      port: { type: 'string' },
      'server-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const check = values.check === true;
  const log = (line: string) => console.log(line);
  log(
    check
      ? 'graylane demo --check: starting the reference scenario'
      : 'graylane demo: starting the reference scenario',
  );
  const running = await startDemo({
    check,
    log,
    serverPort: Number(values['server-port'] ?? (check ? 0 : 7070)),
    gatewayPort: Number(values.port ?? (check ? 0 : 20000)),
    // Fixed ports of its own, below the kernel's ephemeral range (32768 and up), where an
    // outgoing connection could be holding one.
    brokerPorts: check ? { namesrv: 29976, proxy: 28181, remoting: 28180, broker: 31011 } : undefined,
  });
  if (check) {
    log('checking the reference document (Steps 5 and 6):');
    const failures = await checkDemo(running, log).catch((error: Error) => [error.message]);
    await running.stop();
    if (failures.length > 0) {
      console.error(`graylane demo --check: ${failures.length} expectation(s) failed`);
      for (const s of running.services) console.error(`--- ${s.name}\n${s.lines.slice(-15).join('\n')}`);
      return 1;
    }
    log('graylane demo --check: every expectation held');
    return 0;
  }
  for (const s of running.services) {
    const from = s.lines.length;
    let printed = from;
    setInterval(() => {
      while (printed < s.lines.length) console.log(`[${s.name}] ${s.lines[printed++]}`);
    }, 200).unref();
  }
  console.log(tour(running.gateway, running.server, running.token));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log('\nstopping the demo…');
  await running.stop();
  log('stopped; nothing is left listening.');
  return 0;
};

export default demo;
