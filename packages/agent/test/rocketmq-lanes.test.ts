import { startRocketMQ } from '@graylane/cli';
import { messageLaneCases } from './support/message-lane-cases.js';

// The message-lane suite over a real RocketMQ 5 (name server and proxy from the
// project's own start), on ports of its own. Plain rocketmq-client-nodejs apps
// (fixtures/mq-app.mjs: a SimpleConsumer and a PushConsumer per topic); every case runs
// with SQL92 filtering on the broker and with client filtering where it covers both.
// Ports below the kernel's ephemeral range (32768 and up), where an outgoing connection could hold one.
messageLaneCases({
  name: 'RocketMQ',
  fixture: 'mq-app.mjs',
  kinds: ['simple', 'push'],
  modes: ['sql92', 'client'],
  // docs/message-grayscale.md, Limitations: a new pop group starts at a young topic's first message.
  newGroupReplaysYoungTopic: true,
  // The keeper moves an idle gray group's position every 5 s (KEEP_EVERY_MS), plus its poll.
  rejoinLeadMs: 6000,
  // The watch stream, then one long poll opened before the change.
  settleMs: 7000,
  async start() {
    const broker = await startRocketMQ({
      name: 'agent-mq-tests',
      ports: { namesrv: 29876, proxy: 28081, remoting: 28080, broker: 30911 },
      fresh: true,
      log: (line) => console.log(`[rocketmq] ${line}`),
    });
    return {
      env: { ENDPOINTS: broker.endpoints },
      createTopic: (topic) => broker.createTopic(topic),
      stop: () => broker.stop({ force: true }),
    };
  },
});
