import type { createRouter } from '../http/router.js';
import type { Watcher } from '../hub/namespace-state.js';
import type { ServerContext } from '../server-context.js';
import { intParam, namespaceParam } from './params.js';

/** A watcher this far behind is cut off; it reconnects with `since` and catches up. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/**
 * `GET /v1/namespaces/{ns}/watch[?since=V]`: server-sent events. A snapshot, or
 * only the missed changes when `since` (or Last-Event-ID) is still in memory,
 * then every change as it commits.
 */
export function watchRoute(
  router: ReturnType<typeof createRouter>,
  app: ServerContext,
  open: Set<() => void>,
): void {
  router.add('GET', '/v1/namespaces/{ns}/watch', 'watch', async (ctx) => {
    const ns = namespaceParam(ctx.params);
    const lastEventId = ctx.req.headers['last-event-id'];
    const query = new URLSearchParams(ctx.query);
    if (!query.has('since') && typeof lastEventId === 'string') query.set('since', lastEventId);
    const since = intParam(query, 'since', undefined);
    const state = await app.hub.space(ns);
    const { req, res } = ctx;
    if (req.destroyed) return undefined;

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const watcher: Watcher = {
      send(frame) {
        if (res.destroyed || res.writableEnded) return;
        if (res.writableLength > MAX_BUFFERED) {
          res.destroy();
          return;
        }
        res.write(frame);
      },
    };
    // Nothing awaits between choosing what to send and joining the watchers: no change can slip between.
    const frames = since === undefined ? undefined : state.framesAfter(since);
    if (frames === undefined) res.write(state.snapshotFrame());
    else if (frames.length > 0) res.write(frames.join(''));
    else res.flushHeaders();
    state.watchers.add(watcher);

    const end = () => res.end();
    open.add(end);
    res.on('close', () => {
      open.delete(end);
      state.watchers.delete(watcher);
      // The namespace may have been reloaded while this stream was open.
      app.hub.space(ns).then(
        (s) => s.watchers.delete(watcher),
        () => undefined,
      );
    });
    return undefined;
  });
}
