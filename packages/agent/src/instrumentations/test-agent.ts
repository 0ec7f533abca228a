import { emptySnapshot, type MessageGrayscaleSpec } from '@graylane/core/runtime';
import type { Agent } from '../create-agent.js';

/** An agent for unit tests of the patch logic: an app, a tag, a MessageGrayscale spec, recorded logs. */
export function testAgent(tag: string, spec?: MessageGrayscaleSpec) {
  const logs: string[] = [];
  const snapshot = emptySnapshot('default');
  if (spec !== undefined)
    snapshot.messageGrayscale.push({
      apiVersion: 'graylane.io/v1',
      kind: 'MessageGrayscale',
      metadata: { name: 'orders', namespace: 'default' },
      spec,
    } as never);
  const groups: string[][] = [];
  const agent = {
    config: { app: 'orders', tag, namespace: 'default' },
    log: {
      level: 'debug',
      debug: (m: string) => logs.push(`debug ${m}`),
      info: (m: string) => logs.push(`info ${m}`),
      warn: (m: string) => logs.push(`warn ${m}`),
      error: (m: string) => logs.push(`error ${m}`),
      once: (code: string, m: string) => logs.push(`once ${code} ${m}`),
    },
    state: () => ({ snapshot }),
    consumerGroups: (g: readonly string[]) => groups.push([...g]),
    recordMessage: () => {},
    ready: async () => {},
  } as unknown as Agent;
  return { agent, logs, groups, snapshot };
}
