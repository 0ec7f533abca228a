import { ADMIN } from './store-fixture.js';

export interface SseEvent {
  event: string;
  id?: string;
  // biome-ignore lint/suspicious/noExplicitAny: snapshot or change JSON
  data: any;
}

/**
 * Opens a watch stream and parses its events. `next` waits for the next event
 * (optionally the next one matching a predicate), failing after `timeoutMs`.
 */
export async function openWatch(baseUrl: string, namespace = 'default', since?: number, token = ADMIN) {
  const controller = new AbortController();
  const query = since === undefined ? '' : `?since=${since}`;
  const res = await fetch(`${baseUrl}/v1/namespaces/${namespace}/watch${query}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (res.status !== 200) throw new Error(`watch answered ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let buffer = '';
  const decoder = new TextDecoder();
  (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(': ');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
          }
          if (fields.data === undefined) continue;
          events.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) });
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch {}
  })();

  let cursor = 0;
  return {
    events,
    async next(match: (e: SseEvent) => boolean = () => true, timeoutMs = 5000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (cursor < events.length) {
          const e = events[cursor++]!;
          if (match(e)) return e;
        }
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching watch event within ${timeoutMs} ms; saw ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () => controller.abort(),
  };
}
