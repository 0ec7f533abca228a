import { type Instance, isGraylaneError } from '@graylane/core/runtime';
import type * as grpc from '@grpc/grpc-js';
import type { Agent } from '../create-agent.js';
import { authority } from '../outbound/authority.js';
import { withBaggageTag } from '../outbound/baggage.js';
import { forApplication, type Hop, type TagFields } from '../outbound/create-outbound.js';
import { TAG_HEADER } from '../tag-carrier.js';
import { idempotentPaths } from './grpc-idempotent.js';

type Grpc = typeof grpc;
type Call = ReturnType<grpc.Channel['createCall']>;
type Listener = Parameters<Call['start']>[1];
type CreateCallArgs = Parameters<grpc.Channel['createCall']>;

/** Host part of a gRPC target: `dns:///svc:50051`, `dns:svc`, `svc:50051` → `svc`. */
export function targetHost(target: string): string {
  let rest = target.replace(/^dns:(\/\/[^/]*\/)?/, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  rest = rest.replace(/^\/+/, '');
  const colon = rest.lastIndexOf(':');
  return colon === -1 ? rest : rest.slice(0, colon);
}

// Best first: the state a governed app's channel reports is its best instance's.
const STATE_RANK = [2, 1, 0, 3, 4]; // READY, CONNECTING, IDLE, TRANSIENT_FAILURE, SHUTDOWN
const WATCH_INTERVAL_MS = 50;
// Channels to instances the registry no longer lists are closed once they have been gone
// this long: pods come and go, and each channel keeps reconnecting to its address until
// then. The wait lets a call still running on a stopping instance finish (closing a
// channel ends its connection gracefully, but a late replay there would fail).
const SWEEP_EVERY_MS = 30_000;
const GONE_AFTER_MS = 60_000;

/**
 * Options of the channels to an app's instances: the authority stays the one of the
 * target the caller wrote (`svc-b:50051`), and over TLS the server name and the
 * certificate check use the app's name, not the instance address the channel dials
 * (grpc-js takes both from the channel's target unless told otherwise). An override
 * the app set itself is kept.
 */
export function laneChannelOptions(
  host: string,
  options: Record<string, unknown>,
  credentials: grpc.ChannelCredentials,
  defaultAuthority: unknown,
): Record<string, unknown> {
  const lane: Record<string, unknown> = {
    ...options,
    'grpc.default_authority':
      options['grpc.default_authority'] ?? (typeof defaultAuthority === 'string' ? defaultAuthority : host),
  };
  const secure = (credentials as unknown as { _isSecure?: () => boolean })._isSecure?.() === true;
  if (secure && lane['grpc.ssl_target_name_override'] === undefined)
    lane['grpc.ssl_target_name_override'] = host;
  return lane;
}

/**
 * A Channel that picks, per call, the instance of the governed app for the call's
 * lane and sends the call on a channel to that instance (one per instance, so
 * each keeps its own HTTP/2 connection). Hosts that are not governed apps use the
 * client's original channel untouched.
 */
export function createLaneChannel(g: Grpc, agent: Agent, original: grpc.Channel): grpc.Channel {
  const host = targetHost(original.getTarget());
  const internal = (
    original as unknown as {
      internalChannel?: {
        credentials?: unknown;
        options?: Record<string, unknown>;
        defaultAuthority?: unknown;
      };
    }
  ).internalChannel;
  const credentials = (internal?.credentials as grpc.ChannelCredentials) ?? g.credentials.createInsecure();
  const options = laneChannelOptions(host, internal?.options ?? {}, credentials, internal?.defaultAuthority);
  const channels = new Map<string, grpc.Channel>();
  const goneSince = new Map<string, number>();
  let sweptAt = Date.now();

  /** Closes the channels of addresses that no instance of the app has had for GONE_AFTER_MS. */
  function sweep(now: number): void {
    const list = instancesOfTarget();
    if (list === undefined) return;
    const live = new Set(list.map((i) => authority(i.address, i.ports.grpc!)));
    for (const [address, channel] of channels) {
      if (live.has(address)) {
        goneSince.delete(address);
        continue;
      }
      const since = goneSince.get(address);
      if (since === undefined) goneSince.set(address, now);
      else if (now - since >= GONE_AFTER_MS) {
        channels.delete(address);
        goneSince.delete(address);
        channel.close();
      }
    }
  }

  function channelFor(instance: Instance): grpc.Channel {
    const now = Date.now();
    if (now - sweptAt >= SWEEP_EVERY_MS) {
      sweptAt = now;
      sweep(now);
    }
    const address = authority(instance.address, instance.ports.grpc!);
    let channel = channels.get(address);
    if (!channel) {
      channel = new g.Channel(address, credentials, options);
      channels.set(address, channel);
    }
    return channel;
  }

  function createCall(...args: CreateCallArgs): Call {
    const outbound = agent.outbound;
    let hop: Hop | undefined;
    try {
      const app = outbound.appOf(host);
      if (app !== undefined) hop = outbound.begin(app, 'grpc');
    } catch (error) {
      const e = error as Error;
      return failedCall(g, isGraylaneError(e) ? forApplication(e).message : e.message);
    }
    const fields = outbound.tagFields(() => undefined);
    if (!hop) return withTag(original.createCall(...args), fields);
    return createReplayingCall(
      hop,
      (instance) => channelFor(instance).createCall(...args),
      fields,
      idempotentPaths.has(args[0]),
    );
  }

  /** The gRPC instances of the app the target names, or undefined: the target is not a governed app. */
  function instancesOfTarget(): readonly Instance[] | undefined {
    try {
      const app = agent.outbound.appOf(host);
      if (app === undefined) return undefined;
      return (agent.state().instances.get(app) ?? []).filter((i) => i.ports.grpc !== undefined);
    } catch {
      return undefined;
    }
  }

  /**
   * Calls to a governed app go to its instances, not to the target's address (which
   * need not even resolve: `svc-b:50051` outside Kubernetes), so the channel's state is
   * the best of its instances' channels; `client.waitForReady` and health checks read it.
   */
  function connectivity(tryToConnect: boolean): grpc.connectivityState {
    const list = instancesOfTarget();
    if (list === undefined) return original.getConnectivityState(tryToConnect);
    let best = g.connectivityState.TRANSIENT_FAILURE;
    for (const instance of list) {
      const state = channelFor(instance).getConnectivityState(tryToConnect);
      if (STATE_RANK.indexOf(state) < STATE_RANK.indexOf(best)) best = state;
    }
    return best;
  }

  function watchConnectivity(
    last: grpc.connectivityState,
    deadline: grpc.Deadline,
    callback: (error?: Error) => void,
  ): void {
    if (instancesOfTarget() === undefined) {
      original.watchConnectivityState(last, deadline, callback);
      return;
    }
    // Polled: the instances behind the app change with the registry, so there is no one channel to watch.
    const end = deadline instanceof Date ? deadline.getTime() : deadline;
    const check = () => {
      if (connectivity(false) !== last) callback();
      else if (Date.now() >= end) callback(new Error('Deadline passed without connectivity state change'));
      else setTimeout(check, Math.min(WATCH_INTERVAL_MS, Math.max(0, end - Date.now())));
    };
    setTimeout(check, 0);
  }

  return {
    close() {
      original.close();
      for (const c of channels.values()) c.close();
    },
    getTarget: () => original.getTarget(),
    getConnectivityState: connectivity,
    watchConnectivityState: watchConnectivity,
    getChannelzRef: () => original.getChannelzRef(),
    createCall,
  } as grpc.Channel;
}

/** Writes the lane's tag and baggage into the call's metadata (baggage merged with the app's). */
function writeTag(metadata: grpc.Metadata, fields: TagFields | undefined): grpc.Metadata {
  if (fields === undefined) return metadata;
  if (fields.tag !== undefined) metadata.set(TAG_HEADER, fields.tag);
  if (fields.baggage !== undefined) {
    const own = metadata.get('baggage')[0];
    const merged = own === undefined ? fields.baggage : withBaggageTag(String(own), fields.tag);
    if (merged === '') metadata.remove('baggage');
    else metadata.set('baggage', merged);
  }
  return metadata;
}

function withTag(call: Call, fields: TagFields | undefined): Call {
  if (fields === undefined) return call;
  const start = call.start.bind(call);
  call.start = (metadata, listener) => start(writeTag(metadata, fields), listener);
  return call;
}

/**
 * A call that remembers what the app sent until the first answer arrives; when the
 * attempt ends in a connection failure before any answer and the outbound path names another
 * instance (the lane's next one, or the baseline once the lane has none that can
 * take it), it replays everything there.
 */
function createReplayingCall(
  hop: Hop,
  open: (i: Instance) => Call,
  fields: TagFields | undefined,
  idempotent: boolean,
): Call {
  let call = open(hop.instance);
  const sent: Array<(c: Call) => void> = [];
  let answered = false;
  let messages = 0;
  let reading = false;
  let started: { metadata: grpc.Metadata; listener: Listener } | undefined;

  const start = (c: Call) => {
    const { metadata, listener } = started!;
    c.start(writeTag(metadata.clone(), fields), {
      onReceiveMetadata: (m) => {
        if (!answered) hop.answered();
        answered = true;
        listener.onReceiveMetadata(m);
      },
      onReceiveMessage: (m) => {
        answered = true;
        listener.onReceiveMessage(m);
      },
      onReceiveStatus: (status) => {
        // The outbound path's one failure table decides which statuses are the
        // connection's (UNAVAILABLE, or INTERNAL for a stream grpc-js saw break).
        if (!answered && status.code !== 0) {
          const next = hop.retry(status, {
            responseStarted: false,
            replayable: true,
            // Unless its proto says so, a method may not be repeated: only a call that
            // never reached the instance (a connect failure) moves after its messages went out.
            idempotent,
            bodySent: messages > 0,
          });
          if (next) {
            call = open(next);
            start(call);
            for (const replay of sent) replay(call);
            if (reading) call.startRead();
            return;
          }
        }
        hop.end(status.code === 0);
        listener.onReceiveStatus(status);
      },
    });
  };

  const remember = (action: (c: Call) => void) => {
    if (!answered) sent.push(action);
    action(call);
  };

  const wrapper = {
    start(metadata: grpc.Metadata, listener: Listener) {
      started = { metadata, listener };
      start(call);
    },
    sendMessageWithContext(context: { callback?: (error?: Error | null) => void }, message: Buffer) {
      messages++;
      // grpc-js calls the context's callback when the message is written, and its
      // client stream's write fails with ERR_MULTIPLE_CALLBACK when that happens twice:
      // a replayed message must not complete the app's write again.
      const { callback } = context;
      let written = false;
      const once =
        typeof callback === 'function'
          ? {
              ...context,
              callback: (error?: Error | null) => {
                if (written) return;
                written = true;
                callback(error);
              },
            }
          : context;
      remember((c) => c.sendMessageWithContext(once as never, message));
    },
    halfClose() {
      remember((c) => c.halfClose());
    },
    startRead() {
      // The app asked for the next message; a replacement call must be asked again.
      reading = true;
      call.startRead();
    },
    cancelWithStatus(code: number, details: string) {
      call.cancelWithStatus(code, details);
    },
    getPeer: () => call.getPeer(),
    getCallNumber: () => call.getCallNumber(),
    setCredentials(credentials: grpc.CallCredentials) {
      call.setCredentials(credentials);
    },
    getAuthContext: () => (call as unknown as { getAuthContext?: () => unknown }).getAuthContext?.() ?? null,
  };
  return wrapper as unknown as Call;
}

/** A call that ends at once with UNAVAILABLE and the routing error's message. */
function failedCall(g: Grpc, details: string): Call {
  let listener: Listener | undefined;
  return {
    start(_metadata: grpc.Metadata, l: Listener) {
      listener = l;
      process.nextTick(() =>
        listener?.onReceiveStatus({ code: g.status.UNAVAILABLE, details, metadata: new g.Metadata() }),
      );
    },
    sendMessageWithContext() {},
    halfClose() {},
    startRead() {},
    cancelWithStatus() {},
    getPeer: () => '',
    getCallNumber: () => 0,
    setCredentials() {},
  } as unknown as Call;
}
