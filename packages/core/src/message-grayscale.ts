import { GraylaneError } from './graylane-error.js';
import { assertTag } from './tag.js';

/** The user property that carries the tag on a message; a valid SQL92 identifier. */
export const TAG_PROPERTY = 'graylane_tag';

/** RocketMQ consumer group names: letters, digits, `%`, `|`, `_`, `-`, at most 255. */
const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;
/** Property names usable in SQL92: what the broker's expression parser accepts as identifiers. */
const PROPERTY_PATTERN = /^[a-z_$][a-z0-9_$]*$/;
/** RocketMQ message tags we can quote safely inside a SQL92 string. */
const MESSAGE_TAG_PATTERN = /^[^'|\s]+$/;

/** The app's own subscription filter, as the application wrote it. */
export type OwnFilter = { type: 'tag'; expression: string } | { type: 'sql92'; expression: string };

/** Which messages one consumer instance should get. */
export interface ConsumerSelector {
  /** The consuming instance's tag; '' for a baseline instance. */
  tag: string;
  /** Tags the baseline leaves to their own consumers (ignored for a gray instance). */
  ignoredTags?: readonly string[];
  own?: OwnFilter;
}

export function assertPropertyName(name: string): string {
  if (PROPERTY_PATTERN.test(name)) return name;
  throw new GraylaneError(
    'GL_MQ_FILTER_INVALID',
    `property name ${JSON.stringify(name)} cannot be used in a SQL92 filter: use lowercase letters, digits, "_" and "$", not starting with a digit`,
  );
}

/** `<group>_<tag>` for a tagged instance, the group itself for the baseline. */
export function grayConsumerGroup(group: string, tag: string): string {
  assertTag(tag, 'consumer tag');
  const name = tag === '' ? group : `${group}_${tag}`;
  if (!GROUP_PATTERN.test(name)) {
    throw new GraylaneError(
      'GL_MQ_FILTER_INVALID',
      `consumer group ${JSON.stringify(name)} is not valid for RocketMQ: use letters, digits, "%", "|", "_" and "-", at most 255 characters`,
    );
  }
  return name;
}

/** Splits a RocketMQ tag expression (`a || b`, `*`) into its tags; `*` or empty means all. */
export function messageTagsOf(expression: string): string[] | undefined {
  const trimmed = expression.trim();
  if (trimmed === '' || trimmed === '*') return undefined;
  const tags = trimmed
    .split('||')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const t of tags) {
    if (!MESSAGE_TAG_PATTERN.test(t)) {
      throw new GraylaneError(
        'GL_MQ_FILTER_INVALID',
        `message tag ${JSON.stringify(t)} in the filter "${expression}" cannot be turned into SQL92: remove quotes and spaces from message tags`,
      );
    }
  }
  return tags.length > 0 ? tags : undefined;
}

function quote(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

function ignoredOf(selector: ConsumerSelector): string[] {
  if (selector.tag !== '') return [];
  return [...new Set(selector.ignoredTags ?? [])].map((t) => assertTag(t, 'ignored tag')).sort();
}

/** The lane part of the expression alone, or undefined when the consumer takes everything. */
export function laneExpression(selector: ConsumerSelector): string | undefined {
  const tag = assertTag(selector.tag, 'consumer tag');
  if (tag !== '') return `${TAG_PROPERTY} = '${tag}'`;
  const ignored = ignoredOf(selector);
  if (ignored.length === 0) return undefined;
  // NOT IN on a missing property is null, not true: untagged messages need IS NULL.
  return `(${TAG_PROPERTY} IS NULL) OR (${TAG_PROPERTY} NOT IN (${quote(ignored)}))`;
}

function ownExpression(own: OwnFilter | undefined): string | undefined {
  if (own === undefined) return undefined;
  if (own.type === 'sql92') return own.expression.trim() === '' ? undefined : own.expression;
  const tags = messageTagsOf(own.expression);
  return tags ? `(TAGS IS NOT NULL) AND (TAGS IN (${quote(tags)}))` : undefined;
}

/**
 * The filter a consumer subscribes with in `sql92` mode: the app's own filter
 * (a TAG expression is rewritten to SQL92 on the TAGS property) AND the lane part.
 * When no lane part is needed the own filter is returned unchanged.
 */
export function sql92Filter(selector: ConsumerSelector): OwnFilter {
  const lane = laneExpression(selector);
  const own = selector.own ?? { type: 'tag', expression: '*' };
  if (lane === undefined) return own;
  const ownSql = ownExpression(own);
  return { type: 'sql92', expression: ownSql === undefined ? lane : `(${ownSql}) AND (${lane})` };
}

export interface MessageLike {
  /** The RocketMQ message tag. */
  tag?: string | undefined;
  properties?: ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>> | undefined;
}

export function propertyOf(message: MessageLike, name: string): string | undefined {
  const props = message.properties;
  if (props === undefined) return undefined;
  if (props instanceof Map) return props.get(name);
  return (props as Record<string, string | undefined>)[name];
}

/**
 * `client` mode: the broker gets the app's own filter untouched and this
 * predicate decides the lane part after receiving. It decides exactly as the
 * expression of `sql92Filter` would (checked by property tests).
 */
export function clientFilter(selector: ConsumerSelector): {
  broker: OwnFilter;
  accept: (m: MessageLike) => boolean;
} {
  const broker = selector.own ?? { type: 'tag', expression: '*' };
  const tag = assertTag(selector.tag, 'consumer tag');
  if (tag !== '') return { broker, accept: (m) => propertyOf(m, TAG_PROPERTY) === tag };
  const ignored = new Set(ignoredOf(selector));
  if (ignored.size === 0) return { broker, accept: () => true };
  return {
    broker,
    accept: (m) => {
      const value = propertyOf(m, TAG_PROPERTY);
      return value === undefined || !ignored.has(value);
    },
  };
}

/** Whether a message passes an own TAG filter (what the broker does for `type: tag`). */
export function acceptsMessageTag(own: OwnFilter | undefined, message: MessageLike): boolean {
  if (own === undefined || own.type !== 'tag') return true;
  const tags = messageTagsOf(own.expression);
  return tags === undefined || (message.tag !== undefined && tags.includes(message.tag));
}
