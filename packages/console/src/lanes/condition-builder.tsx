import {
  type Condition,
  type ConditionSource,
  conditionSources,
  type MatchGroup,
  type MatchNode,
  type Operator,
  operators,
} from '@graylane/core';
import { useContext, useState } from 'react';
import { IssueContext, useField } from '../components/field.js';

export const opLabels: Record<Operator, string> = {
  eq: 'equals',
  ne: 'does not equal',
  in: 'is one of',
  not_in: 'is none of',
  prefix: 'starts with',
  suffix: 'ends with',
  contains: 'contains',
  regex: 'matches RE2 regex',
  gt: '> (number)',
  ge: '≥ (number)',
  lt: '< (number)',
  le: '≤ (number)',
  exists: 'exists',
  percentage: 'in percentage bucket <',
  modulo: 'modulo',
};

const sourceLabels: Record<ConditionSource, string> = {
  header: 'header',
  cookie: 'cookie',
  query: 'query parameter',
  path: 'path',
  method: 'method',
  host: 'host',
  metadata: 'gRPC metadata',
};

const named = new Set<ConditionSource>(['header', 'cookie', 'query', 'metadata']);
const textOps = new Set<Operator>(['eq', 'ne', 'prefix', 'suffix', 'contains', 'regex']);
const numberOps = new Set<Operator>(['gt', 'ge', 'lt', 'le', 'percentage']);

export const isGroup = (n: MatchNode): n is MatchGroup => 'all' in n || 'any' in n;
export const membersOf = (g: MatchGroup) => ('all' in g ? g.all : g.any);
const modeOf = (g: MatchGroup) => ('all' in g ? 'all' : 'any');

/** A number when the text is one, else the text, so the schema reports what is wrong with it. */
function numeric(text: string): number | string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

export const newCondition = (): Condition => ({ source: 'header', name: '', op: 'eq', value: '' });

/** Keeps the keys an operator uses, so switching operators never leaves stale fields behind. */
function withOp(c: Condition, op: Operator): Condition {
  const next: Condition = { source: c.source, op };
  if (c.name !== undefined) next.name = c.name;
  if (textOps.has(op)) {
    next.value = c.value ?? '';
    if (c.ignoreCase) next.ignoreCase = true;
  } else if (numberOps.has(op))
    next.value = typeof c.value === 'number' ? c.value : numeric(String(c.value ?? ''));
  else if (op === 'in' || op === 'not_in')
    next.values = c.values ?? (c.value !== undefined && c.value !== '' ? [c.value] : []);
  else if (op === 'modulo') {
    next.divisor = c.divisor ?? 10;
    next.remainder = c.remainder ?? 0;
  }
  return next;
}

function ListInput(props: {
  values: Condition['values'];
  onChange: (v: string[]) => void;
  inputProps: object;
}) {
  const [text, setText] = useState((props.values ?? []).join(', '));
  return (
    <input
      {...props.inputProps}
      value={text}
      placeholder="a, b, c"
      onChange={(e) => {
        setText(e.target.value);
        props.onChange(
          e.target.value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        );
      }}
    />
  );
}

function ConditionRow(props: {
  c: Condition;
  path: string;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const { c, path, onChange } = props;
  const source = useField(`${path}.source`);
  const name = useField(`${path}.name`);
  const op = useField(`${path}.op`);
  const value = useField(`${path}.value`);
  const values = useField(`${path}.values`);
  const divisor = useField(`${path}.divisor`);
  const remainder = useField(`${path}.remainder`);
  const row = useField(path);
  const set = (patch: Partial<Condition>) => onChange({ ...c, ...patch });
  return (
    <li className={`condition${row.invalid ? ' invalid' : ''}`} data-path={path}>
      <div className="condition-fields">
        <span className="cell">
          <label htmlFor={source.id} className="sr-only">
            Source
          </label>
          <select
            {...source.inputProps}
            value={c.source}
            onChange={(e) => {
              const s = e.target.value as ConditionSource;
              const next: Condition = { ...c, source: s };
              if (!named.has(s)) delete next.name;
              else next.name = c.name ?? '';
              onChange(next);
            }}
          >
            {conditionSources.map((s) => (
              <option key={s} value={s}>
                {sourceLabels[s]}
              </option>
            ))}
          </select>
          {source.error}
        </span>
        {named.has(c.source) && (
          <span className="cell">
            <label htmlFor={name.id} className="sr-only">
              Name
            </label>
            <input
              {...name.inputProps}
              placeholder={
                c.source === 'query' ? 'parameter' : c.source === 'cookie' ? 'cookie name' : 'x-user-id'
              }
              value={c.name ?? ''}
              onChange={(e) => set({ name: e.target.value === '' ? undefined : e.target.value })}
            />
            {name.error}
          </span>
        )}
        <span className="cell">
          <label htmlFor={op.id} className="sr-only">
            Operator
          </label>
          <select
            {...op.inputProps}
            value={c.op}
            onChange={(e) => onChange(withOp(c, e.target.value as Operator))}
          >
            {operators.map((o) => (
              <option key={o} value={o}>
                {opLabels[o]}
              </option>
            ))}
          </select>
          {op.error}
        </span>
        {textOps.has(c.op) && (
          <span className="cell grow">
            <label htmlFor={value.id} className="sr-only">
              Value
            </label>
            <input
              {...value.inputProps}
              className={c.op === 'regex' ? 'mono' : undefined}
              placeholder={c.op === 'regex' ? '^(iPhone|Android) 1[4-9]' : 'value'}
              value={String(c.value ?? '')}
              onChange={(e) => set({ value: e.target.value })}
            />
            {value.error}
          </span>
        )}
        {numberOps.has(c.op) && (
          <span className="cell">
            <label htmlFor={value.id} className="sr-only">
              {c.op === 'percentage' ? 'Percent (0–100)' : 'Number'}
            </label>
            <input
              {...value.inputProps}
              inputMode="decimal"
              placeholder={c.op === 'percentage' ? '0–100' : 'number'}
              value={c.value === undefined ? '' : String(c.value)}
              onChange={(e) => set({ value: numeric(e.target.value) })}
            />
            {c.op === 'percentage' && <span className="unit">%</span>}
            {value.error}
          </span>
        )}
        {(c.op === 'in' || c.op === 'not_in') && (
          <span className="cell grow">
            <label htmlFor={values.id} className="sr-only">
              Values, separated by commas
            </label>
            <ListInput
              values={c.values}
              inputProps={values.inputProps}
              onChange={(v) => set({ values: v })}
            />
            {values.error}
          </span>
        )}
        {c.op === 'modulo' && (
          <>
            <span className="cell">
              <label htmlFor={divisor.id}>divisor</label>
              <input
                {...divisor.inputProps}
                inputMode="numeric"
                value={c.divisor === undefined ? '' : String(c.divisor)}
                onChange={(e) => set({ divisor: numeric(e.target.value) as number })}
              />
              {divisor.error}
            </span>
            <span className="cell">
              <label htmlFor={remainder.id}>remainder</label>
              <input
                {...remainder.inputProps}
                inputMode="numeric"
                value={c.remainder === undefined ? '' : String(c.remainder)}
                onChange={(e) => set({ remainder: numeric(e.target.value) as number })}
              />
              {remainder.error}
            </span>
          </>
        )}
        {textOps.has(c.op) && c.source !== 'method' && c.source !== 'host' && (
          <label className="check">
            <input
              type="checkbox"
              disabled={row.disabled}
              checked={c.ignoreCase === true}
              onChange={(e) => set({ ignoreCase: e.target.checked ? true : undefined })}
            />
            ignore case
          </label>
        )}
        {!row.disabled && (
          <button type="button" className="icon" onClick={props.onRemove} aria-label="Remove condition">
            ✕
          </button>
        )}
      </div>
      {row.error}
    </li>
  );
}

export function GroupEditor(props: {
  group: MatchGroup;
  path: string;
  onChange: (g: MatchGroup) => void;
  onRemove?: () => void;
}) {
  const { group, path, onChange } = props;
  const { disabled } = useContext(IssueContext);
  const mode = modeOf(group);
  const members = membersOf(group);
  const listField = useField(`${path}.${mode}`);
  const groupField = useField(path);
  const setMembers = (next: MatchNode[]) => onChange(mode === 'all' ? { all: next } : { any: next });
  const replace = (i: number, n: MatchNode) => setMembers(members.map((m, j) => (j === i ? n : m)));
  const remove = (i: number) => setMembers(members.filter((_, j) => j !== i));
  return (
    <fieldset className="group" data-path={path}>
      <legend>
        <label className="sr-only" htmlFor={`${listField.id}-mode`}>
          Group combines its conditions with
        </label>
        <select
          id={`${listField.id}-mode`}
          disabled={disabled}
          value={mode}
          onChange={(e) => onChange(e.target.value === 'all' ? { all: members } : { any: members })}
        >
          <option value="all">all of (AND)</option>
          <option value="any">any of (OR)</option>
        </select>
        {props.onRemove && !disabled && (
          <button type="button" className="link" onClick={props.onRemove}>
            Remove group
          </button>
        )}
      </legend>
      <ul className="conditions">
        {members.map((m, i) => {
          const p = `${path}.${mode}.${i}`;
          return isGroup(m) ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: members have no identity of their own; order is the identity
            <li key={i} className="nested">
              <GroupEditor group={m} path={p} onChange={(g) => replace(i, g)} onRemove={() => remove(i)} />
            </li>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: as above
            <ConditionRow key={i} c={m} path={p} onChange={(c) => replace(i, c)} onRemove={() => remove(i)} />
          );
        })}
      </ul>
      {members.length === 0 && <p className="muted">No conditions in this group.</p>}
      {listField.error}
      {groupField.error}
      {!disabled && (
        <div className="group-actions">
          <button type="button" onClick={() => setMembers([...members, newCondition()])}>
            + Condition
          </button>
          <button type="button" onClick={() => setMembers([...members, { any: [newCondition()] }])}>
            + Group
          </button>
        </div>
      )}
    </fieldset>
  );
}
