// Message grayscale: what the lanes cost a consumer, on each broker Graylane supports.
// The RocketMQ part (bench/mq/rocketmq.mjs) compares the baseline's SQL92 and client
// filtering; the Kafka part (bench/mq/kafka.mjs) measures a kafkajs consumer with lanes on
// and off and the copies of the topic each lane's group reads. `npm run bench -- mq` runs
// both, one broker after the other; BENCH_MQ_BROKERS=kafka (or rocketmq) runs one.
// bench/results/mq.json holds the RocketMQ headline with both parts' figures in `extra`
// (`extra.kafka` for Kafka); with one part, that part's headline.
import { runKafka } from './mq/kafka.mjs';
import { runRocketMQ } from './mq/rocketmq.mjs';

const PARTS = { rocketmq: runRocketMQ, kafka: runKafka };

export default async function run() {
  const wanted = (process.env.BENCH_MQ_BROKERS ?? 'rocketmq,kafka').split(',').filter(Boolean);
  const unknown = wanted.filter((w) => !(w in PARTS));
  if (unknown.length > 0)
    throw new Error(`BENCH_MQ_BROKERS: unknown ${unknown.join(', ')}: choose from rocketmq, kafka`);
  const results = {};
  for (const name of wanted) {
    console.log(`\n-- ${name} --`);
    results[name] = await PARTS[name]();
  }
  const { rocketmq, kafka } = results;
  if (kafka !== undefined) {
    console.log(
      `kafka: ${kafka.metric} = ${kafka.value}; peer ${kafka.peer} = ${kafka.peerValue}; ratio ${kafka.ratio}`,
    );
  }
  if (rocketmq === undefined) return kafka;
  return kafka === undefined ? rocketmq : { ...rocketmq, extra: { ...rocketmq.extra, kafka } };
}
