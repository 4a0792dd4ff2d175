// FNV-1a: a fast, dependency-free string hash for feature hashing and model versions. Not a
// security primitive; only stability across runs and machines matters.

export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** 16 hex characters from two independent FNV-1a passes: enough to tell model versions apart. */
export function fingerprint(text: string): string {
  const a = fnv1a(text).toString(16).padStart(8, "0");
  const b = fnv1a(text, 0x2545f491).toString(16).padStart(8, "0");
  return a + b;
}
