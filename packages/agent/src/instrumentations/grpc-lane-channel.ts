import type { Instance } from '@graylane/core/runtime';
import type * as grpc from '@grpc/grpc-js';
import type { Agent } from '../create-agent.js';
import { currentTag } from '../lane-context.js';
import { authority } from '../outbound/authority.js';
import type { Target } from '../routing-state.js';
import { TAG_HEADER } from '../tag-carrier.js';

type Grpc = typeof grpc;
type Call = ReturnType<grpc.Channel['createCall']>;
type Listener = Parameters<Call['start']>[1];
type CreateCallArgs = Parameters<grpc.Channel['createCall']>;

const UNAVAILABLE = 14;

/** Host part of a gRPC target: `dns:///svc:50051`, `dns:svc`, `svc:50051` → `svc`. */
export function targetHost(target: string): string {
  let rest = target.replace(/^dns:(\/\/[^/]*\/)?/, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  rest = rest.replace(/^\/+/, '');
  const colon = rest.lastIndexOf(':');
  return colon === -1 ? rest : rest.slice(0, colon);
}

/**
 * A Channel that picks, per call, the instance of the governed app for the call's
 * lane and sends the call on a channel to that instance (one per instance, so
 * each keeps its own HTTP/2 connection). Hosts that are not governed apps use the
 * client's original channel untouched.
 */
export function createLaneChannel(g: Grpc, agent: Agent, original: grpc.Channel): grpc.Channel {
  const host = targetHost(original.getTarget());
  const internal = (original as unknown as { internalChannel?: { credentials?: unknown; options?: object } })
    .internalChannel;
  const credentials = (internal?.credentials as grpc.ChannelCredentials) ?? g.credentials.createInsecure();
  const options = { ...(internal?.options ?? {}) };
  const channels = new Map<string, grpc.Channel>();

  function channelFor(instance: Instance): grpc.Channel {
    const address = authority(instance.address, instance.ports.grpc!);
    let channel = channels.get(address);
    if (!channel) {
      // The authority stays the app's name, as the caller wrote it.
      channel = new g.Channel(address, credentials, { ...options, 'grpc.default_authority': host });
      channels.set(address, channel);
    }
    return channel;
  }

  function createCall(...args: CreateCallArgs): Call {
    const tag = currentTag();
    let target: Target | undefined;
    try {
      if (agent.isGoverned(host)) target = agent.route(host, tag, 'grpc');
    } catch (error) {
      return failedCall(g, (error as Error).message);
    }
    const propagate = tag !== '' && agent.state().policy(tag).propagation;
    if (!target) return withTag(original.createCall(...args), propagate ? tag : undefined);
    return createReplayingCall(
      agent,
      target,
      (instance) => channelFor(instance).createCall(...args),
      propagate ? tag : undefined,
    );
  }

  return {
    close() {
      original.close();
      for (const c of channels.values()) c.close();
    },
    getTarget: () => original.getTarget(),
    getConnectivityState: (tryToConnect) => original.getConnectivityState(tryToConnect),
    watchConnectivityState: (state, deadline, callback) =>
      original.watchConnectivityState(state, deadline, callback),
    getChannelzRef: () => original.getChannelzRef(),
    createCall,
  } as grpc.Channel;
}

function withTag(call: Call, tag: string | undefined): Call {
  if (tag === undefined) return call;
  const start = call.start.bind(call);
  call.start = (metadata, listener) => {
    metadata.set(TAG_HEADER, tag);
    start(metadata, listener);
  };
  return call;
}

/**
 * A call that remembers what the app sent until the first answer arrives; if the
 * instance was unreachable (UNAVAILABLE before any response metadata), it replays
 * everything on another instance of the same tag set.
 */
function createReplayingCall(
  agent: Agent,
  target: Target,
  open: (i: Instance) => Call,
  tag: string | undefined,
): Call {
  let instance = target.instance;
  let call = open(instance);
  const sent: Array<(c: Call) => void> = [];
  let answered = false;
  let started: { metadata: grpc.Metadata; listener: Listener } | undefined;

  const start = (c: Call) => {
    const { metadata, listener } = started!;
    const copy = metadata.clone();
    if (tag !== undefined) copy.set(TAG_HEADER, tag);
    agent.begin(instance);
    const current = instance;
    c.start(copy, {
      onReceiveMetadata: (m) => {
        answered = true;
        listener.onReceiveMetadata(m);
      },
      onReceiveMessage: (m) => {
        answered = true;
        listener.onReceiveMessage(m);
      },
      onReceiveStatus: (status) => {
        agent.end(current);
        if (!answered && status.code === UNAVAILABLE) {
          agent.markFailed(current);
          const next = target.alternatives();
          if (next) {
            agent.log.debug(`gRPC call to ${current.address} unavailable; replaying on ${next.address}`);
            instance = next;
            call = open(next);
            start(call);
            for (const replay of sent) replay(call);
            return;
          }
        }
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
    sendMessageWithContext(context: object, message: Buffer) {
      remember((c) => c.sendMessageWithContext(context as never, message));
    },
    halfClose() {
      remember((c) => c.halfClose());
    },
    startRead() {
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
