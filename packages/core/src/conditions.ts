import * as re2js from 're2js';
import { z } from 'zod';
import { provideRe2js } from './re2js-engine.js';
import { regexLimits } from './regex-limits.js';

const { RE2JS } = re2js;
provideRe2js(re2js);

/** Where a condition reads its value from in a request. */
export const conditionSources = ['header', 'cookie', 'query', 'path', 'method', 'host', 'metadata'] as const;
export type ConditionSource = (typeof conditionSources)[number];

/** Sources that hold many named values and therefore need `name`. */
export const namedSources: ReadonlySet<ConditionSource> = new Set(['header', 'cookie', 'query', 'metadata']);

export const operators = [
  'eq',
  'ne',
  'in',
  'not_in',
  'prefix',
  'suffix',
  'contains',
  'regex',
  'gt',
  'ge',
  'lt',
  'le',
  'exists',
  'percentage',
  'modulo',
] as const;
export type Operator = (typeof operators)[number];

const textOperators: ReadonlySet<Operator> = new Set(['eq', 'ne', 'prefix', 'suffix', 'contains', 'regex']);
const numericOperators: ReadonlySet<Operator> = new Set(['gt', 'ge', 'lt', 'le']);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export interface Condition {
  source: ConditionSource;
  name?: string | undefined;
  op: Operator;
  value?: string | number | boolean | undefined;
  values?: Array<string | number | boolean> | undefined;
  divisor?: number | undefined;
  remainder?: number | undefined;
  ignoreCase?: boolean | undefined;
}

export type MatchGroup = { all: MatchNode[] } | { any: MatchNode[] };
export type MatchNode = Condition | MatchGroup;

export const conditionSchema = z
  .strictObject({
    source: z.enum(conditionSources),
    name: z.string().min(1).max(256).optional(),
    op: z.enum(operators),
    value: scalar.optional(),
    values: z.array(scalar).optional(),
    divisor: z.number().int().min(1).optional(),
    remainder: z.number().int().min(0).optional(),
    ignoreCase: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (namedSources.has(c.source) && c.name === undefined) {
      fail('name', `source "${c.source}" needs the name of the ${c.source} to read`);
    }
    if (textOperators.has(c.op) && c.value === undefined) {
      fail('value', `op "${c.op}" needs a value`);
    }
    if (c.op === 'regex' && c.value !== undefined) {
      const size = regexProgramSize(c);
      if (typeof size === 'string') fail('value', `not a valid RE2 regular expression: ${size}`);
      else if (size > regexLimits.maxProgramSize) {
        fail(
          'value',
          `the regular expression compiles to ${size} instructions, more than the ${regexLimits.maxProgramSize} a rule may use: ` +
            'use smaller repeat counts (each copy of {1,50} counts) or split it into several conditions',
        );
      }
    }
    if ((c.op === 'in' || c.op === 'not_in') && (c.values === undefined || c.values.length === 0)) {
      fail('values', `op "${c.op}" needs a non-empty list "values"`);
    }
    if (numericOperators.has(c.op) && !Number.isFinite(Number(c.value))) {
      fail('value', `op "${c.op}" needs a numeric value`);
    }
    if (c.op === 'percentage') {
      const n = c.value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100) {
        fail('value', 'op "percentage" needs an integer value from 0 to 100');
      }
    }
    if (c.op === 'modulo') {
      if (c.divisor === undefined) fail('divisor', 'op "modulo" needs an integer divisor of at least 1');
      if (c.remainder === undefined) fail('remainder', 'op "modulo" needs an integer remainder');
      else if (c.divisor !== undefined && c.remainder >= c.divisor) {
        fail('remainder', `remainder must be smaller than the divisor ${c.divisor}`);
      }
    }
  });

/** The RE2 program size of a regex condition (as the agent compiles it), or why it does not compile. */
export function regexProgramSize(c: Pick<Condition, 'value' | 'ignoreCase'>): number | string {
  try {
    return RE2JS.compile(String(c.value), c.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0).programSize();
  } catch (error) {
    return (error as Error).message;
  }
}

function isGroupShape(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('all' in value || 'any' in value);
}

const children = z.array(z.lazy(() => matchNodeSchema)).min(1, 'a group needs at least one condition');
const allSchema = z.strictObject({ all: children });
const anySchema = z.strictObject({ any: children });

function schemaFor(value: unknown): z.ZodType<unknown, unknown> {
  if (!isGroupShape(value)) return conditionSchema;
  return 'all' in (value as object) ? allSchema : anySchema;
}

/**
 * A node is a group when it has `all` or `any`, otherwise a condition. Choosing the
 * schema by shape (instead of a z.union) keeps error paths and messages precise.
 */
export const matchNodeSchema: z.ZodType<MatchNode, unknown> = z.unknown().transform((value, ctx) => {
  const result = schemaFor(value).safeParse(value);
  if (result.success) return result.data as MatchNode;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

export const matchGroupSchema: z.ZodType<MatchGroup, unknown> = z
  .unknown()
  .refine(isGroupShape, 'a match group is an object with "all" or "any"')
  .pipe(matchNodeSchema) as z.ZodType<MatchGroup, unknown>;
