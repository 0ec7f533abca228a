import { describe, expect, it } from 'vitest';
import { type GraylaneError, isGraylaneError } from './graylane-error.js';
import { parseDocuments, parseResource, validateResource } from './parse-documents.js';

function failure(text: string): GraylaneError {
  try {
    parseDocuments(text);
  } catch (error) {
    if (isGraylaneError(error)) return error;
    throw error;
  }
  throw new Error('expected parseDocuments to throw');
}

const contractExample = `
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray, namespace: default }
spec:
  tag: gray
  priority: 100
  entry:
    apps: [spring-cloud-a]
    match:
      all:
        - { source: query, name: name, op: eq, value: xiaoming }
    weight: 0
  propagation: true
  fallback: baseline
---
apiVersion: graylane.io/v1
kind: MessageGrayscale
metadata: { name: spring-cloud-a, namespace: default }
spec: { enabled: true, filter: sql92, baselineIgnoredTags: [gray], auto: false }
---
apiVersion: graylane.io/v1
kind: GatewayRoute
metadata: { name: a, namespace: default }
spec: { match: { pathPrefix: /A }, app: spring-cloud-a, stripPrefix: false, timeoutMs: 10000, retries: 1 }
`;

describe('parseDocuments', () => {
  it('reads the example documents of the contract', () => {
    const docs = parseDocuments(contractExample);
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Lane/gray',
      'MessageGrayscale/spring-cloud-a',
      'GatewayRoute/a',
    ]);
  });

  it('fills in defaults: namespace, priority, propagation, fallback and message settings', () => {
    const [lane, mq] = parseDocuments(`
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec: { tag: gray }
---
apiVersion: graylane.io/v1
kind: MessageGrayscale
metadata: { name: a }
spec: {}
`);
    expect(lane).toMatchObject({
      metadata: { namespace: 'default' },
      spec: { priority: 0, propagation: true, fallback: 'baseline' },
    });
    expect(mq).toMatchObject({
      spec: { enabled: true, filter: 'sql92', baselineIgnoredTags: [], auto: false },
    });
  });

  it('reads a JSON array of documents and skips empty YAML documents', () => {
    const json = JSON.stringify([
      { apiVersion: 'graylane.io/v1', kind: 'Lane', metadata: { name: 'a' }, spec: { tag: 'a' } },
      { apiVersion: 'graylane.io/v1', kind: 'Lane', metadata: { name: 'b' }, spec: { tag: 'b' } },
    ]);
    expect(parseDocuments(json)).toHaveLength(2);
    expect(parseDocuments(`---\n---\n${contractExample}\n---\n`)).toHaveLength(3);
  });

  it('reports every problem of every document with its name and field path', () => {
    const error = failure(`
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: bad }
spec:
  tag: Gray!
  fallback: sometimes
  entry:
    apps: [a]
    match:
      any:
        - { source: header, op: eq, value: x }
        - { all: [ { source: query, name: u, op: modulo, divisor: 3, remainder: 5 } ] }
        - { source: header, name: h, op: regex, value: "(" }
        - { source: header, name: h, op: in, values: [] }
        - { source: header, name: h, op: gt, value: abc }
        - { source: header, name: h, op: percentage, value: 101 }
        - { source: header, name: h, op: modulo }
        - { source: header, name: h, op: eq }
        - { source: header, name: h, op: eq, value: 1, typo: true }
`);
    expect(error.code).toBe('GL_RULE_INVALID');
    const where = error.issues.map((i) => `${i.document} ${i.path}`);
    expect(where).toEqual([
      'Lane/bad spec.tag',
      'Lane/bad spec.entry.match.any.0.name',
      'Lane/bad spec.entry.match.any.1.all.0.remainder',
      'Lane/bad spec.entry.match.any.2.value',
      'Lane/bad spec.entry.match.any.3.values',
      'Lane/bad spec.entry.match.any.4.value',
      'Lane/bad spec.entry.match.any.5.value',
      'Lane/bad spec.entry.match.any.6.divisor',
      'Lane/bad spec.entry.match.any.6.remainder',
      'Lane/bad spec.entry.match.any.7.value',
      'Lane/bad spec.entry.match.any.8',
      'Lane/bad spec.fallback',
    ]);
    expect(error.issues[0]!.message).toContain('lowercase letters');
    expect(error.issues.at(-1)!.message).toContain('baseline');
    expect(error.message).toContain('Lane/bad at spec.tag');
    expect(error.message).toContain('(and 11 more)');
  });

  it('names unknown kinds and the kinds that exist', () => {
    const error = failure('apiVersion: graylane.io/v1\nkind: Lanes\nmetadata: { name: x }\nspec: {}\n');
    expect(error.code).toBe('GL_KIND_UNKNOWN');
    expect(error.issues[0]).toMatchObject({ document: 'Lanes/x', path: 'kind' });
    expect(error.message).toContain('Lane, MessageGrayscale, GatewayRoute');
  });

  it('calls a kind named like a property every object has (__proto__, constructor, toString) unknown', () => {
    for (const kind of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const error = failure(`apiVersion: graylane.io/v1\nkind: ${kind}\nmetadata: { name: x }\nspec: {}\n`);
      expect(error.code, kind).toBe('GL_KIND_UNKNOWN');
      expect(error.issues[0], kind).toMatchObject({ path: 'kind' });
    }
  });

  it('rejects a wrong apiVersion, a bad name and a non-object document', () => {
    const error = failure(
      'apiVersion: v1\nkind: Lane\nmetadata: { name: Bad_ }\nspec: { tag: a }\n---\n42\n',
    );
    expect(error.issues.map((i) => `${i.document}|${i.path}`)).toEqual([
      'Lane/Bad_|apiVersion',
      'Lane/Bad_|metadata.name',
      'document #2|',
    ]);
    expect(error.issues[0]!.message).toBe('apiVersion must be "graylane.io/v1"');
  });

  it('explains YAML syntax errors and empty input with GL_DOCUMENT_INVALID', () => {
    expect(failure('kind: [unclosed').code).toBe('GL_DOCUMENT_INVALID');
    expect(failure('a: 1\na: 2\n').code).toBe('GL_DOCUMENT_INVALID');
    expect(failure('   \n').message).toContain('empty');
  });

  it('requires an entry to have conditions or a weight, and a group to be non-empty', () => {
    const error = failure(`
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: x }
spec: { tag: x, entry: { apps: [a] } }
---
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: y }
spec: { tag: y, entry: { apps: [a], match: { all: [] } } }
`);
    expect(error.issues.map((i) => i.path)).toEqual(['spec.entry', 'spec.entry.match.all']);
  });

  it('requires a gateway route to match by exactly one of path and pathPrefix', () => {
    const error = failure(`
apiVersion: graylane.io/v1
kind: GatewayRoute
metadata: { name: r }
spec: { match: { path: /a, pathPrefix: /b }, app: a }
`);
    expect(error.issues[0]).toMatchObject({
      path: 'spec.match',
      message: 'set exactly one of "pathPrefix" and "path"',
    });
  });
});

describe('parseResource and validateResource', () => {
  it('validate one parsed document', () => {
    const doc = { apiVersion: 'graylane.io/v1', kind: 'MessageGrayscale', metadata: { name: 'a' }, spec: {} };
    expect(parseResource(doc).kind).toBe('MessageGrayscale');
    expect(() => parseResource({ ...doc, kind: 'Nope' })).toThrow(/unknown kind/);
    expect(validateResource(null)).toMatchObject({ ok: false, unknownKind: false });
  });
});

describe('parseDocuments under hostile input', () => {
  const lane = (match: string) => `
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec: { tag: gray, entry: { apps: [a], match: ${match} } }
`;

  it('refuses "billion laughs" after reading its lines, without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const error = failure(levels.join('\n'));
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
    expect(error.message).toMatch(/aliases/);
  });

  it('refuses a small text whose aliases expand it to many times its size', () => {
    const big = 'x'.repeat(5000);
    const text = `${lane(`{ all: [ &c { source: header, name: h, op: eq, value: "${big}" } ] }`)}${'\n# '.repeat(1)}`;
    const aliased = text.replace(/\] \}/, `${', *c'.repeat(99)} ] }`);
    const error = failure(aliased);
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
    expect(error.message).toMatch(/expand/);
  });

  it('refuses more than 100 aliases in one text', () => {
    const error = failure(
      lane(`{ any: [ &c { source: method, op: eq, value: GET }${', *c'.repeat(101)} ] }`),
    );
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
    expect(error.message).toMatch(/at most 100 aliases/);
  });

  it('accepts a few aliases that repeat a condition', () => {
    const [doc] = parseDocuments(lane('{ any: [ &c { source: method, op: eq, value: GET }, *c ] }'));
    expect(doc?.kind).toBe('Lane');
  });

  it('answers an unresolved alias with GL_DOCUMENT_INVALID', () => {
    const error = failure(lane('{ any: [ *missing ] }'));
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
  });

  it('answers an alias inside its own anchor with GL_DOCUMENT_INVALID', () => {
    const error = failure('a: &a [ *a ]');
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
  });

  it('refuses match groups nested deeper than 32 before validating them (600 levels do not overflow)', () => {
    const nest = (depth: number) =>
      `${'{ all: ['.repeat(depth)}{ source: method, op: eq, value: GET }${' ] }'.repeat(depth)}`;
    expect(parseDocuments(lane(nest(32)))[0]?.kind).toBe('Lane');
    const error = failure(lane(nest(33)));
    expect(error.code).toBe('GL_RULE_INVALID');
    expect(error.message).toMatch(/at most 32 deep/);
    expect(failure(lane(nest(600))).code).toBe('GL_DOCUMENT_INVALID');
    const json = JSON.parse(JSON.stringify({ kind: 'Lane' }));
    let node: Record<string, unknown> = { source: 'method', op: 'eq', value: 'GET' };
    for (let i = 0; i < 5000; i++) node = { any: [node] };
    json.apiVersion = 'graylane.io/v1';
    json.metadata = { name: 'gray' };
    json.spec = { tag: 'gray', entry: { apps: ['a'], match: node } };
    expect(() => parseResource(json)).toThrow(/nested more than 100 levels|at most 32 deep/);
  });

  it('refuses a text nested thousands deep with GL_DOCUMENT_INVALID, not a crash', () => {
    const error = failure(`${'['.repeat(20000)}${']'.repeat(20000)}`);
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
  });

  it('refuses a resource larger than the limit with GL_RESOURCE_TOO_LARGE', () => {
    const text = lane(`{ all: [ { source: header, name: h, op: eq, value: "${'x'.repeat(3000)}" } ] }`);
    expect(parseDocuments(text)).toHaveLength(1);
    try {
      parseDocuments(text, { maxResourceBytes: 2048 });
      expect.unreachable();
    } catch (error) {
      expect((error as GraylaneError).code).toBe('GL_RESOURCE_TOO_LARGE');
    }
  });

  it('refuses a lone surrogate, escaped in JSON or YAML, instead of storing U+FFFD', () => {
    const error = failure(lane('{ all: [ { source: header, name: h, op: eq, value: "\\ud800" } ] }'));
    expect(error.code).toBe('GL_RULE_INVALID');
    expect(error.message).toMatch(/invalid character/);
    expect(failure('\ud800').code).toBe('GL_DOCUMENT_INVALID');
  });
});

describe('regex conditions are bounded when applied', () => {
  const laneWith = (...patterns: string[]) => `
apiVersion: graylane.io/v1
kind: Lane
metadata: { name: gray }
spec:
  tag: gray
  entry:
    apps: [a]
    match:
      any:
${patterns.map((p, i) => `        - { source: header, name: h${i}, op: regex, value: ${JSON.stringify(p)} }`).join('\n')}
`;

  it('refuses [\\s\\S]{1,999} three times in a row with GL_RULE_INVALID naming the field', () => {
    const error = failure(laneWith('[\\s\\S]{1,999}[\\s\\S]{1,999}[\\s\\S]{1,999}'));
    expect(error.code).toBe('GL_RULE_INVALID');
    expect(error.issues[0]?.path).toBe('spec.entry.match.any.0.value');
    expect(error.message).toMatch(/compiles to \d+ instructions, more than the 100/);
  });

  it('counts case folding and each repeated copy in the program size', () => {
    expect(failure(laneWith('[a-z]{1,60}')).code).toBe('GL_RULE_INVALID');
    expect(parseDocuments(laneWith('[a-z]{1,40}'))).toHaveLength(1);
  });

  it('refuses a lane whose regexes together are over the budget, though each alone fits', () => {
    const pattern = '[a-z]{1,30}'; // about 60 each
    expect(parseDocuments(laneWith(pattern))).toHaveLength(1);
    const error = failure(laneWith(pattern, pattern));
    expect(error.code).toBe('GL_RULE_INVALID');
    expect(error.message).toMatch(/of one lane compile to \d+ instructions together/);
  });

  it('accepts the patterns people write: versions, UUIDs, user agents, tenant lists', () => {
    for (const p of [
      '(iPhone|Android) 1[4-9]',
      '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      '^v?\\d+\\.\\d+\\.\\d+(-beta\\.\\d+)?$',
      '^(tenant-alpha|tenant-beta|tenant-gamma|tenant-delta|tenant-epsilon)$',
    ]) {
      expect(parseDocuments(laneWith(p)), p).toHaveLength(1);
    }
  });

  it('refuses more than 64 conditions and groups in one document', () => {
    const conditions = Array.from({ length: 64 }, () => '{ source: method, op: eq, value: GET }').join(', ');
    const error = failure(
      `apiVersion: graylane.io/v1\nkind: Lane\nmetadata: { name: g }\nspec: { tag: g, entry: { apps: [a], match: { any: [${conditions}] } } }\n`,
    );
    expect(error.code).toBe('GL_RULE_INVALID');
    expect(error.message).toMatch(/at most 64 match conditions/);
  });
});

describe('parseDocuments on large texts', () => {
  it('refuses a duplicate key in a map, in one pass over the keys', () => {
    const error = failure('a: 1\nb: 2\na: 3\n');
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
    expect(error.message).toMatch(/keys must be unique: "a" appears twice/);
  });

  it('refuses a JSON array of 200,000 items with a code, not a stack overflow', { timeout: 60_000 }, () => {
    const error = failure(`[${Array(200_000).fill('1').join(',')}]`);
    expect(error.code).toBe('GL_DOCUMENT_INVALID');
    expect(error.message).toMatch(/more than the 1000 one apply may hold/);
  });

  it('lists at most 100 issues however many documents are bad, and says how many there were', () => {
    const error = failure(`[${Array(500).fill('1').join(',')}]`);
    expect(error.issues).toHaveLength(100);
    expect(error.message).toMatch(/and 499 more/);
  });
});
