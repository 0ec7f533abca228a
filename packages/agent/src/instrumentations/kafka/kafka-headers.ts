/** The Kafka header that carries a message's lane tag (a dash is fine here: no SQL92 on Kafka). */
export const TAG_HEADER = 'graylane-tag';

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A kafkajs message as the producer takes it and the consumer hands it over. */
export interface KafkaMessageLike {
  headers?: Record<string, HeaderValue> | undefined;
  [key: string]: unknown;
}

/** The tag a message carries, if any (kafkajs hands headers over as Buffers). */
export function headerTag(message: KafkaMessageLike | undefined): string | undefined {
  let value = message?.headers?.[TAG_HEADER];
  if (Array.isArray(value)) value = value[0];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** A copy of `message` with the tag header; the app may reuse its message objects for other sends. */
export function withTagHeader<M extends KafkaMessageLike>(message: M, tag: string): M {
  return { ...message, headers: { ...(message.headers ?? {}), [TAG_HEADER]: tag } };
}
