import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSseParser, type SseEvent } from './sse-parser.js';

function parseAll(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const push = createSseParser((e) => events.push(e));
  for (const chunk of chunks) push(chunk);
  return events;
}

const stream =
  'event: snapshot\nid: 1\ndata: {"a":1}\n\n: ping\n\nevent: change\nid: 2\ndata: {"b":\ndata: 2}\n\nid: 3\ndata: x\n\n';
const expected: SseEvent[] = [
  { event: 'snapshot', data: '{"a":1}' },
  { event: 'change', data: '{"b":\n2}' },
  { event: 'message', data: 'x' },
];

describe('createSseParser', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads events, comments and multi-line data in one chunk', () => {
    expect(parseAll([stream])).toEqual(expected);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
          const chunks = points.slice(1).map((end, i) => stream.slice(points[i], end));
          expect(parseAll(chunks)).toEqual(expected);
        },
      ),
    );
  });

  it('searches each character of a 10 MB event a bounded number of times, not once per chunk', () => {
    const data = `{"v":"${'x'.repeat(10 * 1024 * 1024)}"}`;
    const text = `event: change\nid: 9\ndata: ${data}\n\n`;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 64 * 1024) chunks.push(text.slice(i, i + 64 * 1024));
    // Counts the characters every search on the stream's text may look at: quadratic
    // parsing (search the whole held text on each chunk) looks at about 80 GB here.
    let searched = 0;
    const indexOf = String.prototype.indexOf;
    vi.spyOn(String.prototype, 'indexOf').mockImplementation(function (this: string, search, from) {
      if (this.length > 1000) searched += this.length - Math.min(this.length, Math.max(0, from ?? 0));
      return indexOf.call(this, search, from);
    });
    const events = parseAll(chunks);
    expect(events).toHaveLength(1);
    expect(events[0]!.data.length).toBe(data.length);
    expect(searched).toBeLessThanOrEqual(2 * text.length);
  });
});
