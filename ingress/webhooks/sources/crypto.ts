import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a UTF-8 string or raw bytes, as lowercase hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** HMAC-SHA256 of raw bytes; a string key is used as its UTF-8 bytes (GitHub, PagerDuty and Grafana secrets). */
export function hmacSha256(key: string | Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * Constant-time equality of two byte strings. Different lengths are unequal at once: every caller compares against a
 * fixed-size digest, so the length is public and leaks nothing.
 */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two secrets of any length (bearer tokens, passwords). Both sides are hashed first so
 * `timingSafeEqual` gets equal-length buffers and the time taken reveals neither the secret's length nor its prefix.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * True when `presented` equals any of `candidates` under `equal`. Every candidate is compared, even after a match,
 * so the time taken does not reveal which configured secret matched.
 */
export function matchesAny<T, U>(presented: readonly T[], candidates: readonly U[], equal: (p: T, c: U) => boolean): boolean {
  let matched = false;
  for (const p of presented) {
    for (const c of candidates) {
      if (equal(p, c)) matched = true;
    }
  }
  return matched;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Decodes a hex-encoded SHA-256 digest; undefined when the text is not exactly 64 hex digits. */
export function parseSha256Hex(text: string): Buffer | undefined {
  return SHA256_HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}
