import { describe, expect, it } from 'vitest';
import { parseConsumerProgress } from './consumer-backlog.js';

const header =
  '#Topic                                                            #Broker Name                      #QID  #Broker Offset        #Consumer Offset      #Client IP           #Diff                #Inflight            #LastTime\n';

describe('parseConsumerProgress', () => {
  it('reads the diff and inflight totals of a group', () => {
    const output = `${header}TEST_MQ  broker-demo  0  7  5  127.0.0.1  2  1  2026-12-01 15:00:00\nConsume TPS: 0.00\nConsume Diff Total: 2\nConsume Inflight Total: 1\n`;
    expect(parseConsumerProgress('GID_A', 'TEST_MQ', output)).toEqual({
      group: 'GID_A',
      topic: 'TEST_MQ',
      diff: 2,
      inflight: 1,
    });
  });

  it('reads a group that has consumed everything as an empty backlog', () => {
    const output = `${header}Consume TPS: 0.00\nConsume Diff Total: 0\nConsume Inflight Total: 0\n`;
    expect(parseConsumerProgress('GID_A_gray', 'TEST_MQ', output)).toEqual({
      group: 'GID_A_gray',
      topic: 'TEST_MQ',
      diff: 0,
      inflight: 0,
    });
  });

  it('gives nothing for an answer without totals, such as an exception', () => {
    const output =
      'org.apache.rocketmq.tools.command.SubCommandException: ConsumerProgressSubCommand command failed\n';
    expect(parseConsumerProgress('GID_A', 'TEST_MQ', output)).toBeUndefined();
  });
});
