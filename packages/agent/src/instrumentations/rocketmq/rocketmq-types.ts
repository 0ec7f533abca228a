/** The parts of `rocketmq-client-nodejs` the agent touches; only types, nothing imported from it. */

export type AnyFn = (...args: unknown[]) => unknown;
export type AsyncFn = (...args: unknown[]) => Promise<unknown>;

export interface FilterExpressionLike {
  expression: string;
  filterType: number;
}
export type FilterExpressionClass = new (expression: string, filterType?: number) => FilterExpressionLike;

export interface MessageViewLike {
  properties?: Map<string, string>;
}

export interface ConsumerLike {
  consumerGroup: string;
  getSettings(): { toProtobuf(): SettingsPB };
  ackMessage(view: MessageViewLike): Promise<unknown>;
}
interface SettingsPB {
  getSubscription?(): { getGroup?(): { setName(name: string): unknown } | undefined } | undefined;
}

export interface MessageOptionsLike {
  properties?: Map<string, string>;
  [key: string]: unknown;
}

export interface RocketMQExports {
  FilterExpression: FilterExpressionClass;
  Producer?: { prototype: { send: AnyFn } };
  Consumer?: {
    prototype: {
      wrapReceiveMessageRequest: AnyFn;
      receiveMessage: AsyncFn;
      ackMessage: AnyFn;
      invisibleDuration: AnyFn;
    };
  };
  SimpleConsumer?: { prototype: { startup: AsyncFn; shutdown: AsyncFn; receive: AsyncFn } };
  PushConsumer?: {
    prototype: {
      startup: AsyncFn;
      shutdown: AsyncFn;
      wrapPushReceiveMessageRequest: AnyFn;
      wrapAckMessageRequest: AnyFn;
      wrapChangeInvisibleDurationRequest: AnyFn;
      wrapForwardMessageToDeadLetterQueueRequest: AnyFn;
    };
  };
  ConsumeService?: { prototype: { consumeMessage: AsyncFn } };
}

// FilterType of apache/rocketmq/v2/definition.proto.
export const FILTER_TAG = 1;
export const FILTER_SQL = 2;
