export { main, usage } from './main.js';
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
