import { readdirSync, readFileSync } from 'node:fs';
import * as models from 'kubernetes-models';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const dir = new URL('../../../deploy/kubernetes/', import.meta.url);
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith('.yaml')),
  ...readdirSync(new URL('injector/', dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `injector/${f}`),
];

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class for an apiVersion/kind: `apps/v1` → models.apps.v1, `v1` → models.v1. */
function modelFor(apiVersion: string, kind: string): Model {
  const all = models as unknown as Record<string, Record<string, Record<string, Model>>>;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key = group!.replace(/[.-]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  const model =
    group === ''
      ? (all as unknown as Record<string, Record<string, Model>>)[version!]?.[kind]
      : all[key]?.[version!]?.[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

describe('deploy/kubernetes', () => {
  it('has the control plane (SQLite and PostgreSQL), the gateway and the demo', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'control-plane-sqlite.yaml',
        'control-plane-postgres.yaml',
        'gateway.yaml',
        'demo.yaml',
      ]),
    );
  });

  it.each(files)('%s validates against the Kubernetes schemas', (file) => {
    const docs = parseAllDocuments(readFileSync(new URL(file, dir), 'utf8')).map((d) => d.toJS());
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const Model = modelFor(doc.apiVersion, doc.kind);
      expect(() => new Model(doc).validate(), `${file}: ${doc.kind}/${doc.metadata?.name}`).not.toThrow();
    }
  });

  it('gives gray pods the tag label and feeds it to GRAYLANE_TAG through the downward API', () => {
    const docs = parseAllDocuments(readFileSync(new URL('demo.yaml', dir), 'utf8')).map((d) => d.toJS());
    const deployments = docs.filter((d) => d.kind === 'Deployment');
    expect(deployments).toHaveLength(6);
    for (const d of deployments) {
      const gray = d.metadata.name.endsWith('-gray');
      expect(d.spec.template.metadata.labels['graylane.io/tag']).toBe(gray ? 'gray' : undefined);
      const env = d.spec.template.spec.containers[0].env;
      expect(env.find((e: { name: string }) => e.name === 'GRAYLANE_TAG').valueFrom.fieldRef.fieldPath).toBe(
        "metadata.labels['graylane.io/tag']",
      );
    }
  });

  it.each(['demo.yaml', 'injector/demo.yaml'])(
    '%s: each app Service selects only its baseline pods, so an unrouted call never lands on a gray pod',
    (file) => {
      const docs = parseAllDocuments(readFileSync(new URL(file, dir), 'utf8')).map((d) => d.toJS());
      const pods = docs
        .filter((d) => d.kind === 'Deployment')
        .map((d) => ({ name: d.metadata.name as string, labels: d.spec.template.metadata.labels }));
      const services = docs.filter((d) => d.kind === 'Service');
      expect(services.length).toBeGreaterThan(0);
      for (const s of services) {
        const selected = pods.filter((p) =>
          Object.entries(s.spec.selector as Record<string, string>).every(([k, v]) => p.labels[k] === v),
        );
        expect(selected.map((p) => p.name)).toEqual([s.metadata.name]);
        for (const p of pods.filter((p) => p.name.endsWith('-gray')))
          expect(p.labels.version, `${p.name} carries a version label`).toBe('gray');
      }
    },
  );

  it('rejects a manifest with a wrong field type, so the check cannot pass vacuously', () => {
    const Model = modelFor('apps/v1', 'Deployment');
    expect(() =>
      new Model({
        metadata: { name: 'x' },
        spec: { replicas: 'three', selector: {}, template: {} },
      }).validate(),
    ).toThrow();
  });
});
