import { describe, expect, it } from 'vitest';
import { instancePorts, resolveInstance } from './rocketmq-instance.js';
import { rocketmqPaths } from './rocketmq-paths.js';

const paths = rocketmqPaths('/tmp/graylane-cache');

describe('resolveInstance', () => {
  it('defaults to the ports RocketMQ uses out of the box, with SQL92 filtering on', () => {
    const instance = resolveInstance(paths);
    expect(instance).toMatchObject({
      name: 'default',
      ports: { namesrv: 9876, proxy: 8081, remoting: 8080, broker: 10911 },
      propertyFilter: true,
      dir: '/tmp/graylane-cache/rocketmq/run/default',
    });
    expect(instancePorts(instance).map(({ port }) => port)).toEqual([9876, 8081, 8080, 10911, 10909, 10912]);
  });

  it('rejects a name that could escape its folder', () => {
    expect(() => resolveInstance(paths, { name: '../x' })).toThrow(/instance name "..\/x" is not allowed/);
  });

  it('rejects ports that collide with the ports derived from the broker port', () => {
    expect(() => resolveInstance(paths, { ports: { proxy: 10909 } })).toThrow(/would both use port 10909/);
  });

  it('rejects a port that is not a number', () => {
    expect(() => resolveInstance(paths, { ports: { namesrv: Number('x') } })).toThrow(/namesrv port NaN/);
  });
});
