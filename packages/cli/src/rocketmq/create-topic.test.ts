import { describe, expect, it } from 'vitest';
import { updateTopicProblem } from './create-topic.js';

const config =
  'TopicConfig [topicName=T, readQueueNums=8, writeQueueNums=8, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false, attributes={}]\n';

describe('updateTopicProblem', () => {
  it('accepts the output of a topic created on every master', () => {
    expect(updateTopicProblem(`create topic to 127.0.0.1:10911 success.\n${config}`)).toBeUndefined();
  });

  it('reports the [error] line of an unknown cluster without the topic config glued to it', () => {
    const output = `[error] Make sure the specified clusterName exists or the name server connected to is correct.${config}`;
    expect(updateTopicProblem(output)).toBe(
      '[error] Make sure the specified clusterName exists or the name server connected to is correct',
    );
  });

  it('reports an exception with its cause when the name server cannot be reached', () => {
    const output = [
      'org.apache.rocketmq.tools.command.SubCommandException: UpdateTopicSubCommand command failed',
      '\tat org.apache.rocketmq.tools.command.topic.UpdateTopicSubCommand.execute(UpdateTopicSubCommand.java:198)',
      'Caused by: org.apache.rocketmq.remoting.exception.RemotingConnectException: connect to null failed',
    ].join('\n');
    expect(updateTopicProblem(output)).toMatch(/command failed; Caused by: .*connect to null failed/);
  });

  it('reports silence as a failure since no broker took the topic', () => {
    expect(updateTopicProblem('')).toMatch(/no broker that took the topic/);
  });
});
