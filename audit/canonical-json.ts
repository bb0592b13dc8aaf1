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
  // Most values are plain data, often with their keys in order already: then the engine's own serialiser writes the
  // canonical text in one call, far cheaper than a call per member. Anything else takes the long way.
  const ordered = inCanonicalOrder(value);
  return ordered === LONG_WAY ? canonicalText(value) : JSON.stringify(ordered);
}

const LONG_WAY = Symbol('long way');
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/**
 * `value` (or, where some object's keys are out of order, a copy with those keys inserted in order) such that
 * `JSON.stringify` writes its canonical JSON; `LONG_WAY` when it can't: anything but strings, finite numbers, booleans,
 * null, arrays and plain objects without `toJSON`, or an unsorted object with integer-like keys (which the engine always
 * writes first, in numeric order). One pass, no copy where nothing is out of order.
 */
function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : LONG_WAY;
    case 'object': {
      if (value === null) return value;
      if ((value as { toJSON?: unknown }).toJSON !== undefined) return LONG_WAY;
      if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype ? arrayInOrder(value) : LONG_WAY;
      const proto: unknown = Object.getPrototypeOf(value);
      return proto === Object.prototype || proto === null ? objectInOrder(value as Record<string, unknown>) : LONG_WAY;
    }
    default:
      return LONG_WAY;
  }
}

function arrayInOrder(items: unknown[]): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = inCanonicalOrder(items[i]);
    if (item === LONG_WAY) return LONG_WAY;
    if (item !== items[i]) copy ??= items.slice(0, i);
    copy?.push(item);
  }
  return copy ?? items;
}

function objectInOrder(obj: Record<string, unknown>): unknown {
  const keys = Object.keys(obj);
  let sorted = true;
  let changed = false;
  const members: unknown[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) sorted = false;
    const member = obj[keys[i]!];
    // `JSON.stringify` leaves an undefined member out, as canonical JSON does.
    const ordered = member === undefined ? member : inCanonicalOrder(member);
    if (ordered === LONG_WAY) return LONG_WAY;
    if (ordered !== member) changed = true;
    members.push(ordered);
  }
  if (sorted && !changed) return obj;
  const order = keys.map((_, i) => i);
  if (!sorted) {
    if (keys.some((k) => INDEX_LIKE.test(k) || k === '__proto__')) return LONG_WAY;
    // Default comparison of strings is by UTF-16 code units, exactly the order JCS requires.
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  } else if (keys.includes('__proto__')) {
    return LONG_WAY;
  }
  const copy: Record<string, unknown> = {};
  for (const i of order) copy[keys[i]!] = members[i];
  return copy;
}

function canonicalText(value: unknown): string {
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

// The long way: plain loops and concatenation, member by member.
function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (items[i] === undefined) throw new TypeError('canonical JSON cannot represent undefined in an array');
    out += (i === 0 ? '' : ',') + canonicalText(items[i]);
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
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalText(member);
  }
  return `${out}}`;
}
