import { describe, expect, it } from 'vitest';
import { withBaggageTag } from './baggage.js';

describe('withBaggageTag', () => {
  it('adds the lane member and keeps every other member', () => {
    expect(withBaggageTag('userId=42,tenant=acme;prop=1', 'gray')).toBe(
      'userId=42,tenant=acme;prop=1,graylane-tag=gray',
    );
    expect(withBaggageTag(undefined, 'gray')).toBe('graylane-tag=gray');
  });

  it('replaces a lane member already there, and removes it when the lane stops', () => {
    expect(withBaggageTag('graylane-tag=blue, a=1', 'gray')).toBe('a=1,graylane-tag=gray');
    expect(withBaggageTag('a=1,graylane-tag=blue', undefined)).toBe('a=1');
  });

  it('answers each call for its own baggage and tag when calls alternate', () => {
    for (let i = 0; i < 3; i++) {
      expect(withBaggageTag('graylane-tag=gray', 'gray')).toBe('graylane-tag=gray');
      expect(withBaggageTag('graylane-tag=gray', 'blue')).toBe('graylane-tag=blue');
      expect(withBaggageTag('a=1,graylane-tag=gray', 'gray')).toBe('a=1,graylane-tag=gray');
      expect(withBaggageTag('a=1,graylane-tag=gray', undefined)).toBe('a=1');
      expect(withBaggageTag(undefined, 'blue')).toBe('graylane-tag=blue');
      expect(withBaggageTag('', 'gray')).toBe('graylane-tag=gray');
    }
  });
});
