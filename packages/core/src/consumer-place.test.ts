import { describe, expect, it } from 'vitest';
import type { Instance } from './config-snapshot.js';
import { emptySnapshot } from './config-snapshot.js';
import {
  consumerPlace,
  laneSelectionOf,
  type MessageGrayscaleSettings,
  messageGrayscaleSettingsOf,
  messageLane,
  moveConsumer,
  outboundMessageTag,
  reportedGroup,
} from './consumer-place.js';

const on: MessageGrayscaleSettings = { enabled: true, mode: 'client', listedTags: ['gray'], auto: false };
const off: MessageGrayscaleSettings = { enabled: false, mode: 'sql92', listedTags: [], auto: false };

const instance = (tag: string, consumerGroups: string[]): Instance => ({
  id: `${tag}-1`,
  app: 'orders',
  namespace: 'default',
  tag,
  address: '127.0.0.1',
  ports: {},
  consumerGroups,
});

describe('messageGrayscaleSettingsOf', () => {
  it('is off for an app without a resource or with enabled: false, and reads the spec otherwise', () => {
    const snapshot = emptySnapshot('default');
    expect(messageGrayscaleSettingsOf(snapshot, 'orders').enabled).toBe(false);
    snapshot.messageGrayscale.push({
      apiVersion: 'graylane.io/v1',
      kind: 'MessageGrayscale',
      metadata: { name: 'orders', namespace: 'default' },
      spec: { enabled: true, baselineIgnoredTags: ['gray'], auto: true },
    } as never);
    expect(messageGrayscaleSettingsOf(snapshot, 'orders')).toEqual({
      enabled: true,
      mode: 'sql92',
      listedTags: ['gray'],
      auto: true,
    });
    expect(messageGrayscaleSettingsOf(snapshot, 'billing').enabled).toBe(false);
  });
});

describe('outboundMessageTag', () => {
  it('tags with the context tag, else the instance tag, and never while off, untagged, or tagged already', () => {
    expect(outboundMessageTag(on, 'blue', 'gray', false)).toBe('blue');
    expect(outboundMessageTag(on, '', 'gray', false)).toBe('gray');
    expect(outboundMessageTag(on, '', '', false)).toBeUndefined();
    expect(outboundMessageTag(off, 'blue', 'gray', false)).toBeUndefined();
    expect(outboundMessageTag(on, 'blue', 'gray', true)).toBeUndefined();
  });
});

describe('moveConsumer with a drain', () => {
  it('leaves the gray group only once the drain has passed after grayscale went off', () => {
    const place = consumerPlace('orders', 'orders_gray');
    expect(moveConsumer(place, on, 0, 8000)).toBe('orders');
    expect(moveConsumer(place, off, 1000, 8000)).toBeUndefined();
    expect(moveConsumer(place, off, 8999, 8000)).toBeUndefined();
    expect(moveConsumer(place, off, 9000, 8000)).toBe('orders_gray');
    expect(place.group).toBe('orders');
    expect(reportedGroup(place)).toBe('orders');
  });

  it('never moves a baseline consumer', () => {
    const place = consumerPlace('orders', undefined);
    expect(moveConsumer(place, on, 0, 0)).toBeUndefined();
    expect(place.group).toBe('orders');
  });
});

describe('laneSelectionOf', () => {
  it('keeps only its tag for a gray consumer in its gray group, and everything in the shared group', () => {
    const place = consumerPlace('orders', 'orders_gray');
    expect(laneSelectionOf('gray', place, on, [])).toBeUndefined();
    moveConsumer(place, on, 0, 0);
    expect(laneSelectionOf('gray', place, on, [])?.selector).toEqual({ tag: 'gray' });
  });

  it('skips listed tags on the baseline unless their instance is still joining, and nothing while off', () => {
    const place = consumerPlace('orders', undefined);
    expect(laneSelectionOf('', place, off, [])).toBeUndefined();
    expect(laneSelectionOf('', place, on, [])?.selector.ignoredTags).toEqual(['gray']);
    expect(laneSelectionOf('', place, on, [instance('gray', ['orders'])])?.selector.ignoredTags).toEqual([]);
    expect(
      laneSelectionOf('', place, { ...on, listedTags: [], auto: true }, [instance('gray', ['orders_gray'])])
        ?.selector.ignoredTags,
    ).toEqual(['gray']);
  });
});

describe('messageLane', () => {
  it('is the message tag when valid, the baseline when untagged and on, and no lane when untagged and off', () => {
    expect(messageLane('gray', false)).toBe('gray');
    expect(messageLane(undefined, true)).toBe('');
    expect(messageLane(undefined, false)).toBeUndefined();
    expect(messageLane('NOT A TAG', true)).toBe('');
  });
});
