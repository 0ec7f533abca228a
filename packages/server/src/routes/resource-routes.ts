import { GraylaneError, parseResource, type Resource } from '@graylane/core';
import { readBody } from '../http/read-body.js';
import type { createRouter, RequestContext } from '../http/router.js';
import { checkRolloutOwnership, ownedLanes, withStatus } from '../rollouts/rollout-documents.js';
import type { ServerContext } from '../server-context.js';
import { namespaceParam, plurals } from './params.js';

function isYaml(ctx: RequestContext): boolean {
  return /yaml/i.test(ctx.req.headers['content-type'] ?? '');
}

/** One document from a PUT body; in JSON, the namespace and name come from the path when the document leaves them out. */
async function documentOf(
  ctx: RequestContext,
  app: ServerContext,
  namespace: string,
  name: string,
): Promise<Resource> {
  const text = await readBody(ctx.req, app.bodyLimit);
  const limits = { maxResourceBytes: app.maxResourceBytes };
  if (isYaml(ctx)) {
    const docs = await app.documents.parse(text, {
      ...limits,
      ownedLanes: await ownedLanes(app, [namespace]),
    });
    if (docs.length !== 1) {
      throw new GraylaneError(
        'GL_BAD_REQUEST',
        `a PUT carries one document, not ${docs.length}: use POST /v1/apply for several`,
      );
    }
    return docs[0]!;
  }
  const doc = parseDocumentJson(text);
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const d = doc as { metadata?: Record<string, unknown> };
    if (d.metadata && typeof d.metadata === 'object') d.metadata = { name, namespace, ...d.metadata };
  }
  return parseResource(doc, { ...limits, ownedLanes: await ownedLanes(app, [namespace]) });
}

/** A JSON document: malformed JSON is a bad document, like malformed YAML. */
function parseDocumentJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `the body is not valid JSON (${(error as Error).message}): send one resource document`,
    );
  }
}

/**
 * `dryRun` of POST /v1/apply. A value that is neither `true` nor `false` (`1`, `yes`, a bare
 * `?dryRun`) is refused rather than read as false: whoever wrote it meant to change nothing.
 */
function dryRunOf(value: string | null): boolean {
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  throw new GraylaneError(
    'GL_BAD_REQUEST',
    `dryRun=${value} is not supported: use dryRun=true or dryRun=false (nothing was applied)`,
  );
}

export function resourceRoutes(router: ReturnType<typeof createRouter>, app: ServerContext): void {
  for (const [plural, kind] of Object.entries(plurals)) {
    const base = `/v1/namespaces/{ns}/${plural}`;
    router.add('GET', base, 'read', async (ctx) => ({
      status: 200,
      body: { items: await withStatus(app, await app.store.listResources(namespaceParam(ctx.params), kind)) },
    }));

    router.add('GET', `${base}/{name}`, 'read', async (ctx) => {
      const ns = namespaceParam(ctx.params);
      const found = await app.store.getResource(ns, kind, ctx.params.name!);
      if (!found) throw notFound(kind, ctx.params.name!, ns);
      return { status: 200, body: (await withStatus(app, [found]))[0] };
    });

    router.add('PUT', `${base}/{name}`, 'write', async (ctx) => {
      const ns = namespaceParam(ctx.params);
      const name = ctx.params.name!;
      const resource = await documentOf(ctx, app, ns, name);
      if (resource.kind !== kind || resource.metadata.name !== name || resource.metadata.namespace !== ns) {
        throw new GraylaneError(
          'GL_BAD_REQUEST',
          `the document is ${resource.kind}/${resource.metadata.name} in namespace ${resource.metadata.namespace}, ` +
            `but the path names ${kind}/${name} in namespace ${ns}: make them agree`,
        );
      }
      await checkRolloutOwnership(app, [resource]);
      const { results, changes } = await app.store.applyResources([resource], ctx.principal.name, false);
      await app.hub.publish(changes);
      const stored = await app.store.getResource(ns, kind, name);
      return {
        status: results[0]?.action === 'created' ? 201 : 200,
        body: stored && (await withStatus(app, [stored]))[0],
      };
    });

    router.add('DELETE', `${base}/{name}`, 'write', async (ctx) => {
      const ns = namespaceParam(ctx.params);
      const change = await app.store.deleteResource(ns, kind, ctx.params.name!, ctx.principal.name);
      if (!change) throw notFound(kind, ctx.params.name!, ns);
      await app.hub.publish([change]);
      return { status: 204 };
    });
  }

  router.add('POST', '/v1/apply', 'write', async (ctx) => {
    const dryRun = dryRunOf(ctx.query.get('dryRun'));
    const text = await readBody(ctx.req, app.bodyLimit);
    const namespaces = (await app.store.listNamespaces()).map((n) => n.name);
    const resources = await app.documents.parse(text, {
      maxResourceBytes: app.maxResourceBytes,
      ownedLanes: await ownedLanes(app, namespaces),
    });
    await checkRolloutOwnership(app, resources);
    const { results, changes } = await app.store.applyResources(resources, ctx.principal.name, dryRun);
    await app.hub.publish(changes);
    return { status: 200, body: { dryRun, results } };
  });
}

function notFound(kind: string, name: string, namespace: string): GraylaneError {
  return new GraylaneError(
    'GL_NOT_FOUND',
    `${kind}/${name} does not exist in namespace ${namespace}: list them with graylane get ${kind.toLowerCase()} -n ${namespace}`,
  );
}
