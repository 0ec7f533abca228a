const encoder = new TextEncoder();

/**
 * FNV-1a (32 bit) over the UTF-8 bytes of the text. Chosen because it is tiny,
 * fast and easy to reproduce in any language, so an operator can compute which
 * bucket a user falls in: the same value always lands in the same bucket.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return hashBytes(encoder.encode(text));
    hash = Math.imul(hash ^ code, 0x01000193);
  }
  return hash >>> 0;
}

function hashBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** The percentage bucket (0–99) of a value. */
export function bucketOf(text: string): number {
  return stableHash(text) % 100;
}
