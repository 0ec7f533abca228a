import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { documentLimits, isWellFormed, shapeIssue, utf8Length } from './document-limits.js';
import { exceedsFlowDepth } from './exceeds-flow-depth.js';
import { GraylaneError, type Issue } from './graylane-error.js';
import { laneEntryIssues } from './lane-entry-issues.js';
import { type Resource, type ResourceKind, resourceKinds, resourceSchemas } from './resources.js';
import { measureYaml } from './yaml-expansion.js';

export interface ParseOptions {
  /** The largest resource accepted, as JSON bytes (256 kB by default). */
  maxResourceBytes?: number;
  /** `namespace/lane` of the Lanes stored Rollouts drive (see laneEntryIssues). */
  ownedLanes?: ReadonlySet<string>;
}

function describe(doc: unknown, index: number): string {
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const kind = typeof d?.kind === 'string' ? d.kind : undefined;
  const name = typeof d?.metadata?.name === 'string' ? d.metadata.name : undefined;
  if (kind && name) return `${kind}/${name}`;
  return `document #${index + 1}${kind ? ` (${kind})` : ''}`;
}

function issuesOf(error: z.ZodError, document: string): Issue[] {
  return error.issues.map((issue) => ({ document, path: issue.path.join('.'), message: issue.message }));
}

/**
 * Validates one already-parsed document. Returns the typed resource with defaults
 * filled in, or the list of problems found in it.
 */
export function validateResource(
  doc: unknown,
  index = 0,
): { ok: true; resource: Resource } | { ok: false; issues: Issue[]; unknownKind: boolean } {
  const document = describe(doc, index);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return {
      ok: false,
      unknownKind: false,
      issues: [
        {
          document,
          path: '',
          message: 'a resource document is an object with apiVersion, kind, metadata and spec',
        },
      ],
    };
  }
  // Before the schema: its match-group validation recurses, so depth is bounded first.
  const shape = shapeIssue(doc, document);
  if (shape) return { ok: false, unknownKind: false, issues: [shape] };
  const kind = (doc as { kind?: unknown }).kind;
  // Own keys only: `constructor` or `__proto__` would otherwise find Object.prototype's.
  if (typeof kind !== 'string' || !Object.hasOwn(resourceSchemas, kind)) {
    return {
      ok: false,
      unknownKind: true,
      issues: [
        {
          document,
          path: 'kind',
          message: `unknown kind ${JSON.stringify(kind)}: use one of ${resourceKinds.join(', ')}`,
        },
      ],
    };
  }
  // A Rollout read back with `get -o yaml` carries the controller's status: applying it again ignores that.
  let body = doc;
  if (kind === 'Rollout' && 'status' in doc) {
    const { status: _, ...rest } = doc as Record<string, unknown>;
    body = rest;
  }
  const result = resourceSchemas[kind as ResourceKind].safeParse(body);
  if (result.success) return { ok: true, resource: result.data as Resource };
  return { ok: false, unknownKind: false, issues: issuesOf(result.error, document) };
}

/** Validates one document and throws GL_RULE_INVALID / GL_KIND_UNKNOWN with every issue found. */
export function parseResource(doc: unknown, options: ParseOptions = {}): Resource {
  const result = validateResource(doc);
  if (!result.ok) throw invalid(result.issues, result.unknownKind);
  checkSize(result.resource, options);
  const [issue] = laneEntryIssues([result.resource], options.ownedLanes);
  if (issue) throw invalid([issue], false);
  return result.resource;
}

/** A resource is stored and pushed to every agent as JSON: its size is bounded. */
function checkSize(resource: Resource, options: ParseOptions): void {
  const max = options.maxResourceBytes ?? documentLimits.maxResourceBytes;
  const bytes = utf8Length(JSON.stringify(resource));
  if (bytes > max) {
    throw new GraylaneError(
      'GL_RESOURCE_TOO_LARGE',
      `${resource.kind}/${resource.metadata.name} is ${bytes} bytes as JSON, more than the ${max} a resource may hold: split it into several resources`,
    );
  }
}

// An answer lists this many issues at most: half a million bad items would otherwise
// make an answer many times the size of the request.
const MAX_ISSUES = 100;

function more(issues: Issue[]): string {
  return issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
}

function invalid(issues: Issue[], unknownKind: boolean): GraylaneError {
  const first = issues[0]!;
  const where = first.path ? ` at ${first.path}` : '';
  return new GraylaneError(
    unknownKind ? 'GL_KIND_UNKNOWN' : 'GL_RULE_INVALID',
    `${first.document}${where}: ${first.message}${more(issues)}`,
    { issues: issues.slice(0, MAX_ISSUES) },
  );
}

/**
 * Parses YAML or JSON text holding one or more resource documents (YAML `---`
 * separated, or a JSON array). Every document is checked and all problems are
 * reported together, so a person fixes a file in one pass.
 */
export function parseDocuments(text: string, options: ParseOptions = {}): Resource[] {
  const raw: unknown[] = [];
  const issues: Issue[] = [];
  const maxResourceBytes = options.maxResourceBytes ?? documentLimits.maxResourceBytes;
  // Honest YAML grows at most a few times when read as JSON; aliases may add about one resource.
  const budget = 4 * text.length + maxResourceBytes;
  const docs = parseText(text);
  let aliases = 0;
  let expanded = 0;
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        issues.push({ document: `document #${index + 1}`, path: '', message: e.message.split('\n')[0]! });
      }
      return;
    }
    const measured = measureYaml(doc, budget - expanded, aliases);
    if (!measured.ok) {
      issues.push({ document: `document #${index + 1}`, path: '', message: measured.message });
      return;
    }
    aliases = measured.aliases;
    expanded += measured.size;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: -1 }); // measured above, with a bound that also covers size
    } catch (error) {
      issues.push({ document: `document #${index + 1}`, path: '', message: (error as Error).message });
      return;
    }
    if (value === null || value === undefined) return; // empty document between separators
    // A loop, not push(...value): spreading half a million items overflows the stack.
    if (Array.isArray(value)) for (const item of value) raw.push(item);
    else raw.push(value);
  });
  if (issues.length > 0) {
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `the text cannot be read as resource documents: ${issues[0]!.message}${more(issues)}`,
      { issues: issues.slice(0, MAX_ISSUES) },
    );
  }
  if (raw.length === 0) {
    throw new GraylaneError('GL_DOCUMENT_INVALID', 'no resource documents found: the input is empty');
  }
  if (raw.length > documentLimits.maxDocuments) {
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `the text holds ${raw.length} documents, more than the ${documentLimits.maxDocuments} one apply may hold: split it`,
    );
  }
  const results = raw.map((doc, index) => validateResource(doc, index));
  const valid = results.flatMap((r) => (r.ok ? [r.resource] : []));
  const entryIssues = laneEntryIssues(valid, options.ownedLanes);
  const resources: Resource[] = [];
  let unknownKind = false;
  for (const result of results) {
    if (result.ok) {
      checkSize(result.resource, { maxResourceBytes });
      const issue = entryIssues[resources.length];
      resources.push(result.resource);
      if (issue) issues.push(issue);
      continue;
    }
    if (issues.length === 0) unknownKind = result.unknownKind; // the first bad document names the code
    issues.push(...result.issues);
  }
  if (issues.length > 0) throw invalid(issues, unknownKind);
  return resources;
}

function parseText(text: string) {
  if (!isWellFormed(text)) {
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      'the text holds an invalid character (a lone UTF-16 surrogate)',
    );
  }
  // Twice the limit: the scan may count a bracket the parser reads as text, and a text
  // this deep is refused after parsing anyway, where the parser has not overflowed yet.
  if (exceedsFlowDepth(text, 2 * documentLimits.maxDepth)) {
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `the text cannot be read as resource documents: nested more than ${documentLimits.maxDepth} levels deep`,
    );
  }
  try {
    const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: false }); // measureYaml checks keys
    return Array.isArray(docs) ? docs : [docs];
  } catch (error) {
    // The parser recurses on nesting; a text nested thousands deep ends here, not in a crash.
    throw new GraylaneError(
      'GL_DOCUMENT_INVALID',
      `the text cannot be read as YAML or JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
