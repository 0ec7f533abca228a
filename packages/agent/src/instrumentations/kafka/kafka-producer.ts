import { outboundMessageTag } from '@graylane/core/runtime';
import type { Agent } from '../../create-agent.js';
import { currentTag } from '../../lane-context.js';
import { messageGrayscaleSettings } from '../message-grayscale-settings.js';
import { headerTag, type KafkaMessageLike, withTagHeader } from './kafka-headers.js';

interface ProducerRecordLike {
  messages?: KafkaMessageLike[];
  [key: string]: unknown;
}
interface ProducerBatchLike {
  topicMessages?: ProducerRecordLike[];
  [key: string]: unknown;
}
type SendFn = (record: unknown) => Promise<unknown>;
/** What `producer.send` and `producer.sendBatch` live on: a producer or a transaction. */
interface SenderLike {
  send?: SendFn;
  sendBatch?: SendFn;
  transaction?: (...args: unknown[]) => Promise<SenderLike>;
}

/**
 * Makes a kafkajs producer (an object the client builds per call, not a class) tag what
 * it sends: every message gets the `graylane-tag` header of the lane it is sent in, else
 * of the instance, while grayscale is on. Transactions send through their own object.
 */
export function tagProducer<P extends SenderLike>(
  producer: P,
  agent: Agent,
  fail: (where: string, error: unknown) => void,
): P {
  // Counted once the broker took them; the app still gets the original promise and its errors.
  const count = (sent: unknown, messages: (KafkaMessageLike[] | undefined)[]) => {
    if (!(sent instanceof Promise)) return;
    const tags = messages.flatMap((list) => (list ?? []).map((m) => headerTag(m) ?? ''));
    sent.then(
      () => {
        for (const tag of tags) agent.recordMessage({ system: 'kafka', direction: 'produced', tag });
      },
      () => {},
    );
  };
  const tagged = (messages: KafkaMessageLike[] | undefined): KafkaMessageLike[] | undefined => {
    if (!Array.isArray(messages)) return messages;
    const settings = messageGrayscaleSettings(agent);
    return messages.map((message) => {
      if (!message || typeof message !== 'object') return message;
      const tag = outboundMessageTag(
        settings,
        currentTag(),
        agent.config.tag,
        headerTag(message) !== undefined,
      );
      return tag === undefined ? message : withTagHeader(message, tag);
    });
  };
  const wrapSender = (sender: SenderLike) => {
    const { send, sendBatch, transaction } = sender;
    if (typeof send === 'function')
      sender.send = function (this: unknown, record: unknown) {
        try {
          const r = record as ProducerRecordLike;
          if (r && typeof r === 'object') record = { ...r, messages: tagged(r.messages) };
        } catch (error) {
          fail('send', error);
        }
        const sent = send.call(this, record);
        count(sent, [(record as ProducerRecordLike)?.messages]);
        return sent;
      };
    if (typeof sendBatch === 'function')
      sender.sendBatch = function (this: unknown, batch: unknown) {
        try {
          const b = batch as ProducerBatchLike;
          if (b && typeof b === 'object' && Array.isArray(b.topicMessages))
            batch = {
              ...b,
              topicMessages: b.topicMessages.map((t) => ({ ...t, messages: tagged(t.messages) })),
            };
        } catch (error) {
          fail('sendBatch', error);
        }
        const sent = sendBatch.call(this, batch);
        count(
          sent,
          ((batch as ProducerBatchLike)?.topicMessages ?? []).map((t) => t.messages),
        );
        return sent;
      };
    if (typeof transaction === 'function')
      sender.transaction = async function (this: unknown, ...args: unknown[]) {
        const started = await transaction.apply(this, args);
        try {
          wrapSender(started);
        } catch (error) {
          fail('transaction', error);
        }
        return started;
      };
  };
  wrapSender(producer);
  return producer;
}
