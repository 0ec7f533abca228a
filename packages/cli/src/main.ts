import { createRequire } from 'node:module';
import { reportFailure, usageError } from './command-failure.js';

/**
 * `graylane <command>`: each command lives in its own file under commands/ and is
 * registered here. A command returns the process exit code of a run that did what
 * was asked (0, or 1 where the answer is "no", as `rocketmq status`); a failure is
 * thrown and turned into its exit code in one place, `reportFailure`.
 */
export type Command = (args: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: 'start the reference scenario (--check: assert it and exit)',
    load: async () => (await import('./commands/demo.js')).default,
  },
  rocketmq: {
    summary: 'local RocketMQ broker for development and tests: start|stop|status|topic create',
    load: async () => (await import('./commands/rocketmq.js')).default,
  },
  kafka: {
    summary: 'local Kafka 4 (KRaft) for development and tests: start|stop|status|topic create',
    load: async () => (await import('./commands/kafka.js')).default,
  },
  server: {
    summary: 'run the control plane (SQLite by default, --postgres for replicas)',
    load: async () => (await import('./commands/server.js')).default,
  },
  apply: {
    summary: 'apply resource documents: apply -f FILE|- [--dry-run]',
    load: async () => (await import('./commands/apply.js')).default,
  },
  get: {
    summary: 'show resources, apps, instances, audit: get KIND [NAME] [-o table|yaml|json]',
    load: async () => (await import('./commands/get.js')).default,
  },
  rollout: {
    summary: 'drive a Rollout: rollout status|promote|pause|resume|abort|retry NAME',
    load: async () => (await import('./commands/rollout.js')).default,
  },
  gateway: {
    summary: 'run the ingress gateway: gateway --server URL [--port 20000]',
    load: async () => (await import('./commands/gateway.js')).default,
  },
  delete: {
    summary: 'delete a resource: delete KIND NAME',
    load: async () => (await import('./commands/delete.js')).default,
  },
  token: {
    summary: 'create a token: token create NAME --role admin|viewer|agent [--apps A,B] [--expires TIME]',
    load: async () => (await import('./commands/token.js')).default,
  },
  injector: {
    summary: 'Kubernetes agent injector: injector [serve] --server URL | certs --out DIR | bundle --out DIR',
    load: async () => (await import('./commands/injector.js')).default,
  },
};

export function usage(): string {
  const lines = ['usage: graylane <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run "graylane <command> --help" for its options; "graylane --version" prints the version.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    console.log(`graylane ${version}`);
    return 0;
  }
  const entry = commands[name];
  if (entry === undefined) {
    return reportFailure('', usageError(`unknown command "${name}"`, usage()));
  }
  try {
    return await (await entry.load())(rest);
  } catch (error) {
    return reportFailure(name, error);
  }
}
