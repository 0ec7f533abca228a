import { describe, expect, it } from 'vitest';
import { targetHost } from './instrumentations/grpc-lane-channel.js';
import { extractTag, invalidTagMessage } from './tag-carrier.js';

const from = (headers: Record<string, string | string[]>) => (name: string) => headers[name];

describe('extractTag', () => {
  it('reads the tag header first, then the W3C baggage entry', () => {
    expect(extractTag(from({ 'x-graylane-tag': 'gray', baggage: 'graylane-tag=blue' }))).toBe('gray');
    expect(extractTag(from({ baggage: 'a=1, graylane-tag=blue;prop=x' }))).toBe('blue');
    expect(extractTag(from({ baggage: 'graylane-tag=canary%2D1' }))).toBe('canary-1');
    expect(extractTag(from({ baggage: 'a=1' }))).toBeUndefined();
    expect(extractTag(from({ 'x-graylane-tag': '' }))).toBeUndefined();
    expect(extractTag(from({ 'x-graylane-tag': ['gray', 'blue'] }))).toBe('gray');
  });

  it('ignores and reports a value that is not a valid tag', () => {
    const seen: string[] = [];
    expect(extractTag(from({ 'x-graylane-tag': "gray' OR 1=1" }), (v) => seen.push(v))).toBeUndefined();
    expect(seen).toEqual(["gray' OR 1=1"]);
  });

  it('quotes only the start of an invalid tag many kilobytes long in its log line, with its length', () => {
    const line = invalidTagMessage('x'.repeat(16 * 1024));
    expect(line.length).toBeLessThan(300);
    expect(line).toContain('(16384 characters)');
    expect(invalidTagMessage('Gray!')).toContain('"Gray!"');
  });
});

describe('targetHost', () => {
  it('finds the host of every gRPC target form', () => {
    expect(targetHost('dns:b')).toBe('b');
    expect(targetHost('dns:b:50051')).toBe('b');
    expect(targetHost('dns:///b:50051')).toBe('b');
    expect(targetHost('dns://8.8.8.8/b')).toBe('b');
    expect(targetHost('b:50051')).toBe('b');
    expect(targetHost('[::1]:50051')).toBe('::1');
  });
});
