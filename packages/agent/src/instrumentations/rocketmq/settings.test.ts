import { describe, expect, it } from 'vitest';
import {
  type ConsumerPlace,
  consumerPlace,
  DRAIN_MS,
  type MessageGrayscaleSettings,
  moveConsumer,
  reportedGroup,
} from './settings.js';

const on: MessageGrayscaleSettings = { enabled: true, mode: 'client', listedTags: [], auto: false };
const off: MessageGrayscaleSettings = { enabled: false, mode: 'sql92', listedTags: [], auto: false };

const grayPlace = () => consumerPlace('orders', 'orders_gray');

describe('moveConsumer', () => {
  it('moves a tagged consumer into its gray group when grayscale is on, reporting it only once joined', () => {
    const place = grayPlace();
    expect(reportedGroup(place)).toBe('orders');
    expect(moveConsumer(place, on, 0)).toBe('orders');
    expect(place).toMatchObject({ group: 'orders_gray', mode: 'client' });
    expect(reportedGroup(place)).toBeUndefined();
    place.joined = true;
    expect(reportedGroup(place)).toBe('orders_gray');
    expect(moveConsumer(place, on, 1)).toBeUndefined();
  });

  it('keeps a gray consumer in its gray group while it drains, then returns it to the original group', () => {
    const place = grayPlace();
    moveConsumer(place, on, 0);
    place.joined = true;
    expect(moveConsumer(place, off, 1000)).toBeUndefined();
    expect(moveConsumer(place, off, 1000 + DRAIN_MS - 1)).toBeUndefined();
    expect(place.group).toBe('orders_gray');
    expect(place.mode).toBe('client');
    expect(moveConsumer(place, off, 1000 + DRAIN_MS)).toBe('orders_gray');
    expect(place).toMatchObject({ group: 'orders', joined: false, leavingSince: undefined });
    expect(reportedGroup(place)).toBe('orders');
  });

  it('stays in the gray group when grayscale comes back on while draining', () => {
    const place = grayPlace();
    moveConsumer(place, on, 0);
    moveConsumer(place, off, 1000);
    expect(moveConsumer(place, on, 2000)).toBeUndefined();
    expect(moveConsumer(place, off, 2000 + DRAIN_MS - 1)).toBeUndefined();
    expect(place.group).toBe('orders_gray');
  });

  it('never moves a baseline consumer', () => {
    const place: ConsumerPlace = { ...grayPlace(), grayGroup: undefined };
    expect(moveConsumer(place, on, 0)).toBeUndefined();
    expect(moveConsumer(place, off, DRAIN_MS * 2)).toBeUndefined();
    expect(place.group).toBe('orders');
  });
});
