import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { downstreamHeaders } from './proxy-headers.js';

/**
 * Streams one upstream response into the client's response as it arrives: each
 * chunk is written on, and when the client is slower than the upstream the
 * upstream socket is paused until the response drains (no buffering here).
 */
export class ProxyHandler implements Dispatcher.DispatchHandlers {
  /** The request reached a socket (it may have been written): a retry is no longer free. */
  sent = false;
  /** Response headers went to the client: the answer can no longer be replaced by an error. */
  answered = false;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private resume: (() => void) | undefined;
  private readonly onDrain = () => this.resume?.();

  constructor(
    private readonly res: ServerResponse,
    private readonly done: (error: Error | undefined, handler: ProxyHandler) => void,
    private readonly onAnswer: () => void = () => {},
  ) {}

  /** The client went away: stop the upstream request too. */
  abort(): void {
    try {
      this.abortUpstream?.(new Error('the client closed the connection'));
    } catch {
      // the request already completed
    }
  }

  onConnect(abort: (error?: Error) => void): void {
    this.sent = true;
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, headers: Buffer[] | string[] | null, resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the final answer follows
    this.answered = true;
    this.onAnswer();
    this.resume = resume;
    this.res.writeHead(statusCode, downstreamHeaders((headers ?? []) as Buffer[]));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.onDrain);
    return false;
  }

  onComplete(): void {
    this.res.end();
    this.done(undefined, this);
  }

  onError(error: Error): void {
    this.done(error, this);
  }
}
