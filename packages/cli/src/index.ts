export { type CreateKafkaTopicOptions, createKafkaTopic } from './kafka/create-kafka-topic.js';
export { defaultKafkaPorts, type KafkaInstanceOptions, type KafkaPorts } from './kafka/kafka-instance.js';
export { KAFKA_VERSION } from './kafka/kafka-paths.js';
export { type KafkaInstanceStatus, kafkaStatus } from './kafka/kafka-status.js';
export { type RunningKafka, type StartKafkaOptions, startKafka } from './kafka/start-kafka.js';
export { type StopKafkaOptions, stopKafka } from './kafka/stop-kafka.js';
export { main, usage } from './main.js';
export { type ConsumerBacklog, consumerBacklog } from './rocketmq/consumer-backlog.js';
export { type CreateTopicOptions, createTopic, type TopicMessageType } from './rocketmq/create-topic.js';
export { defaultPorts, type InstanceOptions, type RocketMQPorts } from './rocketmq/rocketmq-instance.js';
export { ROCKETMQ_VERSION, resolveCacheRoot } from './rocketmq/rocketmq-paths.js';
export {
  type InstanceStatus,
  type RocketMQStatusOptions,
  rocketmqStatus,
} from './rocketmq/rocketmq-status.js';
export { type RunningRocketMQ, type StartRocketMQOptions, startRocketMQ } from './rocketmq/start-rocketmq.js';
export { type StopRocketMQOptions, stopRocketMQ } from './rocketmq/stop-rocketmq.js';
