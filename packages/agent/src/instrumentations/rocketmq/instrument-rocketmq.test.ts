import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { applyInstrumentation } from '../library-instrumentation.js';
import { testAgent } from '../test-agent.js';
import { rocketmqInstrumentation } from './instrument-rocketmq.js';

const require = createRequire(import.meta.url);

describe('rocketmqInstrumentation against the installed rocketmq-client-nodejs', () => {
  it('finds every method it patches on the real classes, in a supported version, and undoes every patch', () => {
    const mq = require('rocketmq-client-nodejs') as Record<string, { prototype: Record<string, unknown> }>;
    const { agent, logs } = testAgent('gray');
    const targets = [
      ['Producer', 'send'],
      ['SimpleConsumer', 'startup'],
      ['SimpleConsumer', 'receive'],
      ['PushConsumer', 'wrapPushReceiveMessageRequest'],
      ['Consumer', 'receiveMessage'],
      ['Consumer', 'ackMessage'],
      ['ConsumeService', 'consumeMessage'],
    ] as const;
    const before = targets.map(([cls, method]) => mq[cls]?.prototype[method]);
    const undo = applyInstrumentation(
      rocketmqInstrumentation,
      mq,
      require.resolve('rocketmq-client-nodejs'),
      agent,
    );
    try {
      expect(logs.filter((l) => l.includes('GL_INSTRUMENTATION_UNSUPPORTED'))).toEqual([]);
      for (const [i, [cls, method]] of targets.entries())
        expect(mq[cls]?.prototype[method], `${cls}#${method}`).not.toBe(before[i]);
    } finally {
      undo();
    }
    for (const [i, [cls, method]] of targets.entries())
      expect(mq[cls]?.prototype[method], `${cls}#${method}`).toBe(before[i]);
  });

  it('names each missing method with its code when the client lacks it', () => {
    const { agent, logs } = testAgent('gray');
    class FilterExpression {}
    applyInstrumentation(rocketmqInstrumentation, { FilterExpression }, '/nowhere/index.js', agent)();
    const missing = logs.filter((l) => l.startsWith('error GL_INSTRUMENTATION_UNSUPPORTED'));
    expect(missing.some((l) => l.includes('Producer#send'))).toBe(true);
    expect(missing.some((l) => l.includes('Consumer#ackMessage'))).toBe(true);
    expect(logs.some((l) => l.includes('outside the versions'))).toBe(true);
  });
});
