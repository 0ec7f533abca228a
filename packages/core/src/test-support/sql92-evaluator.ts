/**
 * A tiny evaluator for the SQL92 subset Graylane generates, with SQL's
 * three-valued logic (a comparison on a missing property is NULL, not false), as
 * RocketMQ's broker applies it. Test-only: it lets property tests check that the
 * client-side predicate decides exactly as the broker would.
 */
type Value = boolean | null;
type Token = { t: 'id' | 'str' | 'op'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:([A-Za-z_$][A-Za-z0-9_$]*)|'([^']*)'|(<>|=|\(|\)|,))/y;
  re.lastIndex = 0;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (m === null) break;
    if (m[1] !== undefined) out.push({ t: 'id', v: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'str', v: m[2] });
    else out.push({ t: 'op', v: m[3]! });
  }
  if (text.slice(re.lastIndex).trim() !== '')
    throw new Error(`cannot tokenize at: ${text.slice(re.lastIndex)}`);
  return out;
}

const and = (a: Value, b: Value): Value =>
  a === false || b === false ? false : a === null || b === null ? null : true;
const or = (a: Value, b: Value): Value =>
  a === true || b === true ? true : a === null || b === null ? null : false;
const not = (a: Value): Value => (a === null ? null : !a);

export function evaluateSql92(expression: string, props: ReadonlyMap<string, string>): boolean {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const keyword = (word: string) => peek()?.t === 'id' && peek()!.v.toUpperCase() === word;
  const expect = (v: string) => {
    const tok = tokens[i++];
    if (tok?.v.toUpperCase() !== v) throw new Error(`expected ${v} at token ${i - 1} of ${expression}`);
  };

  function list(): string[] {
    expect('(');
    const values: string[] = [];
    for (;;) {
      const tok = tokens[i++];
      if (tok?.t !== 'str') throw new Error('expected a string in a list');
      values.push(tok.v);
      if (peek()?.v === ',') i++;
      else break;
    }
    expect(')');
    return values;
  }

  function primary(): Value {
    if (peek()?.v === '(') {
      i++;
      const v = orExpr();
      expect(')');
      return v;
    }
    if (keyword('NOT')) {
      i++;
      return not(primary());
    }
    const id = tokens[i++];
    if (id?.t !== 'id') throw new Error(`expected a property name in ${expression}`);
    const value = props.get(id.v);
    if (keyword('IS')) {
      i++;
      const negated = keyword('NOT');
      if (negated) i++;
      expect('NULL');
      return negated ? value !== undefined : value === undefined;
    }
    if (keyword('NOT')) {
      i++;
      expect('IN');
      const values = list();
      return value === undefined ? null : !values.includes(value);
    }
    if (keyword('IN')) {
      i++;
      const values = list();
      return value === undefined ? null : values.includes(value);
    }
    const op = tokens[i++];
    const literal = tokens[i++];
    if (op?.t !== 'op' || literal?.t !== 'str') throw new Error(`expected a comparison in ${expression}`);
    if (value === undefined) return null;
    return op.v === '=' ? value === literal.v : value !== literal.v;
  }

  function andExpr(): Value {
    let v = primary();
    while (keyword('AND')) {
      i++;
      v = and(v, primary());
    }
    return v;
  }

  function orExpr(): Value {
    let v = andExpr();
    while (keyword('OR')) {
      i++;
      v = or(v, andExpr());
    }
    return v;
  }

  const result = orExpr();
  if (i !== tokens.length) throw new Error(`unexpected trailing tokens in ${expression}`);
  return result === true;
}
