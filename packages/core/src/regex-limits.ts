/**
 * Bounds that keep a `regex` condition cheap whatever the request: RE2 runs in time
 * proportional to the length of the text times the size of the compiled program, so
 * both are bounded. The worst rule these allow is measured in bench/rules.bench.mjs.
 */
export const regexLimits = {
  /** A regex sees at most this many characters (UTF-16 code units) of a value: its beginning. */
  matchedPrefix: 512,
  /** The RE2 program size of one pattern (about one unit per character, class or repeated copy). */
  maxProgramSize: 100,
  /** The program sizes of every regex in one lane's entry rules, added up. */
  maxLaneProgramSize: 100,
} as const;

/** The part of a value a regex is matched against. */
export function matchedPart(value: string): string {
  return value.length > regexLimits.matchedPrefix ? value.slice(0, regexLimits.matchedPrefix) : value;
}
