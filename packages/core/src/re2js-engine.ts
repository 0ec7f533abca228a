import type * as Re2jsModule from 're2js';

type Re2js = typeof Re2jsModule;

let engine: Re2js | undefined;

/**
 * The schema entry imports re2js anyway (it measures patterns when validating), so it
 * hands its copy over here: the console's browser bundle then compiles regex conditions
 * without a Node require, and the server never loads a second copy.
 */
export function provideRe2js(module: Re2js): void {
  engine ??= module;
}

// RE2 is only needed once a lane has a regex condition; loading it on demand keeps it
// out of the start of every app under the agent, which imports only the runtime entry.
// Compiling a lane is synchronous, so this is a require of re2js's CommonJS build,
// reached through getBuiltinModule because core imports no Node module.
export function loadRe2js(): Re2js {
  if (engine) return engine;
  const node = (globalThis as { process?: { getBuiltinModule?: NodeJS.Process['getBuiltinModule'] } })
    .process;
  if (typeof node?.getBuiltinModule !== 'function') {
    throw new Error('re2js is not loaded: import @graylane/core before compiling a regex condition');
  }
  engine = node.getBuiltinModule('node:module').createRequire(import.meta.url)('re2js') as Re2js;
  return engine;
}
