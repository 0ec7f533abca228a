import { startKafka } from '@graylane/cli';
import { messageLaneCases, SWITCH_MARGIN_MS } from './support/message-lane-cases.js';

// The message-lane suite over a real Kafka (KRaft, from the project's own start), on
// ports of its own so the demo and the benchmarks can run beside it. Plain kafkajs apps
// (fixtures/kafka-app.mjs: an eachMessage and an eachBatch consumer per topic).
messageLaneCases({
  name: 'Kafka',
  fixture: 'kafka-app.mjs',
  kinds: ['each', 'batch'],
  // Kafka has no broker-side filter: the agent always filters in the client.
  modes: ['client'],
  newGroupReplaysYoungTopic: false,
  rejoinLeadMs: SWITCH_MARGIN_MS,
  // The receive filter reads the settings per message: the watch stream is all it waits for.
  settleMs: 3000,
  async start() {
    const kafka = await startKafka({
      name: 'agent-lane-tests',
      ports: { broker: 29592, controller: 29593 },
      fresh: true,
      log: (line) => console.log(`[kafka] ${line}`),
    });
    return {
      env: { BROKERS: kafka.bootstrap },
      // Two partitions: a group move or restart rebalances real assignments.
      createTopic: (topic) => kafka.createTopic(topic, { partitions: 2 }),
      stop: () => kafka.stop({ force: true }),
    };
  },
});
