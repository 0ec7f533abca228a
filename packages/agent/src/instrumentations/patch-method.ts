const patched = Symbol.for('graylane.patched');

type Patchable = Record<string | symbol, unknown>;

/**
 * Replaces `target[name]` with `wrap(original)`, once: a second patch of the same
 * method is a no-op (two copies of the agent, or a repeated start). Returns the undo.
 */
export function patchMethod<T extends object, K extends keyof T & string>(
  target: T,
  name: K,
  wrap: (original: T[K]) => T[K],
): () => void {
  const holder = target as unknown as Patchable;
  const original = holder[name] as T[K] & { [patched]?: boolean };
  if (typeof original !== 'function' || original[patched]) return () => {};
  const replacement = wrap(original) as T[K] & { [patched]?: boolean };
  Object.defineProperty(replacement, patched, { value: true });
  const own = Object.hasOwn(holder, name);
  holder[name] = replacement;
  return () => {
    if (holder[name] !== replacement) return; // someone patched on top of us: leave theirs in place
    if (own) holder[name] = original;
    else delete holder[name];
  };
}
