import { describe, expect, it } from 'vitest';
import { applyChange, emptySnapshot, type Instance } from './config-snapshot.js';
import { parseDocuments } from './parse-documents.js';
import type { Lane } from './resources.js';

const [lane] = parseDocuments(
  'apiVersion: graylane.io/v1\nkind: Lane\nmetadata: { name: gray }\nspec: { tag: gray }\n',
) as [Lane];
const instance: Instance = {
  id: 'a-1',
  app: 'a',
  namespace: 'default',
  tag: 'gray',
  address: '127.0.0.1',
  ports: { http: 8080 },
  lastHeartbeat: 1,
};

describe('applyChange', () => {
  it('adds, replaces and removes resources and instances without touching the input', () => {
    const empty = emptySnapshot('default');
    const s1 = applyChange(empty, { version: 1, type: 'put', resource: lane });
    expect(empty.lanes).toEqual([]);
    expect(s1).toMatchObject({ version: 1, lanes: [lane] });
    const changed = { ...lane, spec: { ...lane.spec, priority: 5 } };
    const s2 = applyChange(s1, { version: 2, type: 'put', resource: changed });
    expect(s2.lanes).toEqual([changed]);
    const s3 = applyChange(s2, { version: 3, type: 'instance-put', instance });
    const s4 = applyChange(s3, {
      version: 4,
      type: 'instance-put',
      instance: { ...instance, lastHeartbeat: 2 },
    });
    expect(s4.instances.a).toEqual([{ ...instance, lastHeartbeat: 2 }]);
    const s5 = applyChange(s4, { version: 5, type: 'instance-delete', app: 'a', id: 'a-1' });
    expect(s5.instances).toEqual({});
    const s6 = applyChange(s5, { version: 6, type: 'delete', kind: 'Lane', name: 'gray' });
    expect(s6).toEqual({ ...emptySnapshot('default'), version: 6 });
  });

  it('ignores a change it has already seen, so a replay after reconnect is harmless', () => {
    const s1 = applyChange(emptySnapshot('default'), { version: 3, type: 'put', resource: lane });
    expect(applyChange(s1, { version: 2, type: 'delete', kind: 'Lane', name: 'gray' })).toBe(s1);
  });

  it('keeps other instances of the app when one leaves', () => {
    const s = [instance, { ...instance, id: 'a-2' }].reduce(
      (snap, i, n) => applyChange(snap, { version: n + 1, type: 'instance-put', instance: i }),
      emptySnapshot('default'),
    );
    expect(
      applyChange(s, { version: 9, type: 'instance-delete', app: 'a', id: 'a-1' }).instances.a,
    ).toHaveLength(1);
    expect(
      applyChange(s, { version: 9, type: 'instance-delete', app: 'zz', id: 'x' }).instances.a,
    ).toHaveLength(2);
  });
});
