import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptsMessageTag,
  assertPropertyName,
  clientFilter,
  grayConsumerGroup,
  laneExpression,
  type MessageLike,
  messageTagsOf,
  type OwnFilter,
  propertyOf,
  sql92Filter,
  TAG_PROPERTY,
} from './message-grayscale.js';
import { evaluateSql92 } from './test-support/sql92-evaluator.js';

describe('consumer groups', () => {
  it('suffix the group with the tag for a tagged instance and keep it for the baseline', () => {
    expect(grayConsumerGroup('group1', 'gray')).toBe('group1_gray');
    expect(grayConsumerGroup('group1', '')).toBe('group1');
  });

  it('reject tags and groups that RocketMQ or SQL92 cannot take', () => {
    expect(() => grayConsumerGroup('group1', "gray' OR 1=1")).toThrow(
      expect.objectContaining({ code: 'GL_TAG_INVALID' }),
    );
    expect(() => grayConsumerGroup('bad group', 'gray')).toThrow(
      expect.objectContaining({ code: 'GL_MQ_FILTER_INVALID' }),
    );
  });
});

describe('SQL92 expressions', () => {
  it('select only the own tag on a gray consumer', () => {
    expect(sql92Filter({ tag: 'gray', ignoredTags: ['ignored-on-gray'] })).toEqual({
      type: 'sql92',
      expression: "graylane_tag = 'gray'",
    });
  });

  it('leave the baseline filter untouched when it ignores nothing', () => {
    expect(sql92Filter({ tag: '' })).toEqual({ type: 'tag', expression: '*' });
    const own: OwnFilter = { type: 'tag', expression: 'TagA' };
    expect(sql92Filter({ tag: '', ignoredTags: [], own })).toBe(own);
  });

  it('keep untagged messages on a baseline that ignores tags, as NOT IN alone would drop them', () => {
    expect(laneExpression({ tag: '', ignoredTags: ['gray', 'blue', 'gray'] })).toBe(
      "(graylane_tag IS NULL) OR (graylane_tag NOT IN ('blue', 'gray'))",
    );
  });

  it('combine with the app own TAG or SQL filter', () => {
    expect(sql92Filter({ tag: 'gray', own: { type: 'tag', expression: 'TagA || TagB' } }).expression).toBe(
      "((TAGS IS NOT NULL) AND (TAGS IN ('TagA', 'TagB'))) AND (graylane_tag = 'gray')",
    );
    expect(sql92Filter({ tag: 'gray', own: { type: 'sql92', expression: "region = 'hz'" } }).expression).toBe(
      "(region = 'hz') AND (graylane_tag = 'gray')",
    );
    expect(sql92Filter({ tag: 'gray', own: { type: 'sql92', expression: ' ' } }).expression).toBe(
      "graylane_tag = 'gray'",
    );
    expect(sql92Filter({ tag: 'gray', own: { type: 'tag', expression: '*' } }).expression).toBe(
      "graylane_tag = 'gray'",
    );
  });

  it('refuse to build an expression from an injected tag or message tag', () => {
    expect(() => sql92Filter({ tag: '', ignoredTags: ["x') OR (1=1"] })).toThrow(
      expect.objectContaining({ code: 'GL_TAG_INVALID' }),
    );
    expect(() => messageTagsOf("a || b' OR 'x")).toThrow(
      expect.objectContaining({ code: 'GL_MQ_FILTER_INVALID' }),
    );
    expect(() => assertPropertyName('graylane-tag')).toThrow(
      expect.objectContaining({ code: 'GL_MQ_FILTER_INVALID' }),
    );
    expect(assertPropertyName(TAG_PROPERTY)).toBe('graylane_tag');
  });
});

describe('message helpers', () => {
  it('read properties from a Map or a plain object', () => {
    expect(propertyOf({ properties: new Map([['k', 'v']]) }, 'k')).toBe('v');
    expect(propertyOf({ properties: { k: 'v' } }, 'k')).toBe('v');
    expect(propertyOf({}, 'k')).toBeUndefined();
  });

  it('apply an own TAG filter as the broker would', () => {
    const own: OwnFilter = { type: 'tag', expression: 'a||b' };
    expect(acceptsMessageTag(own, { tag: 'a' })).toBe(true);
    expect(acceptsMessageTag(own, { tag: 'c' })).toBe(false);
    expect(acceptsMessageTag(own, {})).toBe(false);
    expect(acceptsMessageTag(undefined, {})).toBe(true);
    expect(acceptsMessageTag({ type: 'sql92', expression: 'x' }, {})).toBe(true);
    expect(messageTagsOf(' * ')).toBeUndefined();
    expect(messageTagsOf('||')).toBeUndefined();
  });
});

describe('client mode', () => {
  const tags = fc.constantFrom('gray', 'blue', 'canary-1', 'v2_x');
  const messageTag = fc.constantFrom('TagA', 'TagB', 'TagC');
  const message: fc.Arbitrary<MessageLike & { properties: Map<string, string> }> = fc
    .record({
      laneTag: fc.option(fc.oneof(tags, fc.constant('')), { nil: undefined }),
      region: fc.option(fc.constantFrom('hz', 'bj'), { nil: undefined }),
      tag: fc.option(messageTag, { nil: undefined }),
    })
    .map(({ laneTag, region, tag }) => {
      const properties = new Map<string, string>();
      if (laneTag !== undefined) properties.set(TAG_PROPERTY, laneTag);
      if (region !== undefined) properties.set('region', region);
      if (tag !== undefined) properties.set('TAGS', tag);
      return { tag, properties };
    });
  const own: fc.Arbitrary<OwnFilter | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom<OwnFilter>(
      { type: 'tag', expression: '*' },
      { type: 'tag', expression: 'TagA' },
      { type: 'tag', expression: 'TagA || TagC' },
      { type: 'sql92', expression: "region = 'hz'" },
      { type: 'sql92', expression: "region IS NULL OR region <> 'bj'" },
    ),
  );
  const selector = fc.record({
    tag: fc.oneof(fc.constant(''), tags),
    ignoredTags: fc.array(tags, { maxLength: 3 }),
    own,
  });

  function brokerAccepts(filter: OwnFilter, m: MessageLike & { properties: Map<string, string> }): boolean {
    return filter.type === 'sql92'
      ? evaluateSql92(filter.expression, m.properties)
      : acceptsMessageTag(filter, m);
  }

  it('decides exactly as the broker would with the SQL92 expression', () => {
    fc.assert(
      fc.property(selector, message, (s, m) => {
        const sql = sql92Filter(s);
        const client = clientFilter(s);
        const viaBroker = brokerAccepts(sql, m);
        const viaClient = brokerAccepts(client.broker, m) && client.accept(m);
        expect(viaClient).toBe(viaBroker);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives every message to exactly one consumer group when the baseline ignores the tags with consumers', () => {
    fc.assert(
      fc.property(fc.uniqueArray(tags, { maxLength: 3 }), message, (grayConsumers, m) => {
        const groups = ['', ...grayConsumers].filter((tag) =>
          brokerAccepts(sql92Filter({ tag, ignoredTags: grayConsumers }), m),
        );
        expect(groups).toHaveLength(1);
      }),
    );
  });
});
