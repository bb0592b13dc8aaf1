/**
 * Canonical JSON in the style of RFC 8785 (JCS): object keys sorted by UTF-16 code units,
 * no insignificant whitespace, numbers and strings serialised as ECMAScript `JSON.stringify`
 * does (which is what JCS specifies). Hashes are taken over this text, so two processes
 * holding the same value always produce the same bytes.
 *
 * Throws `TypeError` for values JSON cannot represent faithfully (non-finite numbers,
 * bigint, functions, symbols, `undefined` at the top level or inside arrays), rather than
 * silently producing text that would not round-trip.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot represent a non-finite number');
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON cannot represent a value of type ${typeof value}`);
  }
}

// Plain loops and concatenation: this runs for every record on append and verification.
function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (items[i] === undefined) throw new TypeError('canonical JSON cannot represent undefined in an array');
    out += (i === 0 ? '' : ',') + canonicalJson(items[i]);
  }
  return `${out}]`;
}

function canonicalObject(obj: Record<string, unknown>): string {
  // Default sort compares UTF-16 code units, exactly the order JCS requires.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const key of keys) {
    const member = obj[key];
    if (member === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return `${out}}`;
}
