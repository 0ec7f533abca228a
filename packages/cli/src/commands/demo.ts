import { parseFlags, usageError } from '../command-failure.js';
import { checkDemo } from '../demo/check-demo.js';
import { startDemo } from '../demo/run-demo.js';
import { CONSUMED } from '../demo/wait-for-rest.js';
import type { Command } from '../main.js';

const USAGE = `usage: graylane demo [--check] [--mq rocketmq|kafka] [--port 20000] [--server-port 7070]

Starts the reference scenario: a local RocketMQ, the control plane, the gateway,
and services A → B → C (each baseline and gray) under the agent, with the lane
name=xiaoming → gray and message grayscale. Ctrl-C stops everything it started.

  --check          assert the reference document's Steps 5 and 6, and that one call comes
                   to rest (one message, consumed once, no backlog); exit 0 when all held
  --mq B           the broker of TEST_MQ: rocketmq (default) or kafka (a local Kafka 4, kafkajs clients)
  --port P         gateway port (default 20000; --check picks a free one)
  --server-port P  control plane port (default 7070; --check picks a free one)`;

function tour(gateway: string, server: string, token: string, logs: string): string {
  return `
Graylane demo is running.

  Synchronous path (Step 5 of the reference document):
    curl '${gateway}/A/dubbo?name=xiaoming'   # A[..][gray] -> B[..][gray] -> C[..][gray]
    curl '${gateway}/A/dubbo?name=anyone'     # A[..][base] -> B[..][base] -> C[..][base]

  Asynchronous path: C produces one message to TEST_MQ per call, A consumes it and
  calls B → C once more (that call produces nothing). A's line
  "topic:TEST_MQ,producer:...,invoke result:..." appears below, prefixed by the instance;
  then the demo is quiet again. Before Step 6 the baseline A also consumes the gray
  message. Make it ignore gray (no restart of A):
    GRAYLANE_SERVER=${server} GRAYLANE_TOKEN=${token} npx graylane apply -f - <<'YAML'
    apiVersion: graylane.io/v1
    kind: MessageGrayscale
    metadata: { name: spring-cloud-a }
    spec: { enabled: true, filter: sql92, baselineIgnoredTags: [gray] }
    YAML

  Console: ${server}/  (sign in with the admin token below)
  Admin token (shown once): ${token}
  Every service's output: ${logs}/<service>.log

Ctrl-C stops every process the demo started.
Asynchronous path, as A consumes:
`;
}

const demo: Command = async (args) => {
  const { values } = parseFlags(USAGE, {
    args,
    options: {
      check: { type: 'boolean' },
      port: { type: 'string' },
      'server-port': { type: 'string' },
      mq: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const check = values.check === true;
  const mq = values.mq ?? 'rocketmq';
  if (mq !== 'rocketmq' && mq !== 'kafka')
    throw usageError(`--mq must be rocketmq or kafka, not "${mq}"`, USAGE);
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
    mq,
    kafkaPorts: check ? { broker: 29392, controller: 29393 } : undefined,
  });
  if (check) {
    log('checking the reference document (Steps 5 and 6):');
    const failures = await checkDemo(running, log).catch((error: Error) => [error.message]);
    await running.stop();
    if (failures.length > 0) {
      console.error(`graylane demo --check: ${failures.length} expectation(s) failed`);
      for (const s of running.services) console.error(`--- ${s.name}\n${s.lines.slice(-15).join('\n')}`);
      console.error(`every line of each service: ${running.dir.logs}/<service>.log`);
      return 1;
    }
    log('graylane demo --check: every expectation held');
    return 0;
  }
  // The terminal shows the tour and, below it, only what a user's call causes: A's
  // asynchronous-path lines. Everything else the services print goes to their log files.
  console.log(tour(running.gateway, running.server, running.token, running.dir.logs));
  let stopping = false;
  for (const s of running.services) {
    let printed = s.lines.length;
    setInterval(() => {
      for (; printed < s.lines.length; printed++) {
        const line = s.lines[printed]!;
        if (CONSUMED.test(line)) console.log(`[${s.name}] ${line}`);
      }
    }, 200).unref();
    s.process.once('exit', (code, signal) => {
      if (!stopping) console.error(`[${s.name}] exited (${signal ?? code}); its output: ${s.logFile}`);
    });
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  stopping = true;
  log('\nstopping the demo…');
  await running.stop();
  log('stopped; nothing is left listening.');
  return 0;
};

export default demo;
