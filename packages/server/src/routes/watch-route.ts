import type { createRouter } from '../http/router.js';
import type { Watcher } from '../hub/namespace-state.js';
import type { ServerContext } from '../server-context.js';
import { intParam, namespaceParam } from './params.js';

/**
 * `GET /v1/namespaces/{ns}/watch[?since=V]`: server-sent events. A snapshot, or
 * only the missed changes when `since` (or Last-Event-ID) is still in memory,
 * then every change as it commits.
 *
 * A reader that falls behind (more than `watchBuffer` bytes it has not taken) is
 * not cut off: cutting it made it reconnect and receive the same large events
 * again, for ever. Instead it gets nothing more until it has read what is queued,
 * then one fresh snapshot that holds every change it skipped, and the stream goes on.
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
    let behind = false;
    const catchUp = () => {
      app.hub.space(ns).then(
        (current) => {
          if (res.destroyed || res.writableEnded) return;
          // Written and resumed in the same tick: every change is either in it or sent after it.
          res.write(current.snapshotFrame());
          behind = false;
        },
        () => res.destroy(),
      );
    };
    const watcher: Watcher = {
      send(frame) {
        if (behind || res.destroyed || res.writableEnded) return;
        // writableNeedDrain: only then is a 'drain' event sure to come.
        if (res.writableLength > app.watchBuffer && res.writableNeedDrain) {
          behind = true;
          res.once('drain', catchUp);
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
