import type { Instance } from '@graylane/core/runtime';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Agent } from '../create-agent.js';
import { createLaneChannel } from './grpc-lane-channel.js';

const instance = (id: string, address: string): Instance => ({
  id,
  app: 'b',
  namespace: 'default',
  tag: '',
  address,
  ports: { grpc: 50051 },
  lastHeartbeat: 0,
});

/** Real grpc-js channels (none needs a server to be created, watched or closed), counted as they are made. */
function setup() {
  const made = new Map<string, grpc.Channel>();
  const Channel = class extends grpc.Channel {
    constructor(target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) {
      super(target, credentials, options);
      made.set(target, this);
    }
  };
  const g = { ...grpc, Channel } as unknown as typeof grpc;
  const instances = new Map<string, Instance[]>([
    ['b', [instance('b1', '10.0.0.1'), instance('b2', '10.0.0.2')]],
  ]);
  const agent = {
    outbound: { appOf: (host: string) => (host === 'svc-b' ? 'b' : undefined) },
    state: () => ({ instances }),
  } as unknown as Agent;
  const original = new grpc.Channel('svc-b:50051', grpc.credentials.createInsecure(), {});
  const lane = createLaneChannel(g, agent, original);
  return { made, instances, lane };
}

describe('a lane channel to a governed gRPC app', () => {
  afterEach(() => vi.useRealTimers());

  it('closes the channel of an instance the registry has stopped listing, a minute after it went, and keeps the others', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { made, instances, lane } = setup();
    lane.getConnectivityState(false);
    expect([...made.keys()].sort()).toEqual(['10.0.0.1:50051', '10.0.0.2:50051']);

    instances.set('b', [instance('b1', '10.0.0.1')]);
    // Noticed at the next sweep, closed at the first sweep a minute after that.
    vi.advanceTimersByTime(31_000);
    lane.getConnectivityState(false);
    expect(made.get('10.0.0.2:50051')!.getConnectivityState(false)).not.toBe(grpc.connectivityState.SHUTDOWN);
    vi.advanceTimersByTime(61_000);
    lane.getConnectivityState(false);
    expect(made.get('10.0.0.2:50051')!.getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
    expect(made.get('10.0.0.1:50051')!.getConnectivityState(false)).not.toBe(grpc.connectivityState.SHUTDOWN);
    lane.close();
  });

  it('keeps the channel of an instance that comes back before its minute is up', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { made, instances, lane } = setup();
    lane.getConnectivityState(false);
    const all = instances.get('b')!;
    instances.set('b', [all[0]!]);
    vi.advanceTimersByTime(31_000);
    lane.getConnectivityState(false);
    instances.set('b', all);
    vi.advanceTimersByTime(61_000);
    lane.getConnectivityState(false);
    vi.advanceTimersByTime(61_000);
    lane.getConnectivityState(false);
    expect(made.get('10.0.0.2:50051')!.getConnectivityState(false)).not.toBe(grpc.connectivityState.SHUTDOWN);
    expect(made.size).toBe(2);
    lane.close();
  });
});
