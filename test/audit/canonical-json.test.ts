import assert from 'node:assert/strict';
import { canonicalJson } from '../../audit/canonical-json';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } }), '{"a":{"c":"x","d":[true,null]},"b":1}');
  });

  it('orders keys by UTF-16 code units, as RFC 8785 requires', () => {
    assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, a: 4 }), '{"\\r":2,"a":4,"\u20ac":1,"\ud83d\ude00":3}');
  });

  it('serialises numbers the ECMAScript way', () => {
    assert.equal(canonicalJson([1e21, 0.1, -0, 1e-7, 100]), '[1e+21,0.1,0,1e-7,100]');
  });

  it('omits undefined object members but refuses values JSON cannot hold', () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    assert.throws(() => canonicalJson(Number.NaN), TypeError);
    assert.throws(() => canonicalJson([undefined]), TypeError);
    assert.throws(() => canonicalJson(BigInt(1)), TypeError);
  });

  it('writes integer-like keys in code-unit order too, not the engine’s numeric order', () => {
    assert.equal(canonicalJson({ b: 1, 10: 'ten', 9: 'nine', a: { 2: true, 1: false } }), '{"10":"ten","9":"nine","a":{"1":false,"2":true},"b":1}');
    assert.equal(canonicalJson({ 1: 'x', 2: 'y', z: [{ 3: 0 }] }), '{"1":"x","2":"y","z":[{"3":0}]}');
  });

  it('treats an own __proto__ member, a null-prototype object and a Date as before', () => {
    assert.equal(canonicalJson(JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}')), '{"__proto__":{"a":1,"b":2},"z":1}');
    assert.equal(canonicalJson(Object.assign(Object.create(null), { b: 2, a: 1 })), '{"a":1,"b":2}');
    // Not JSON: no toJSON is called; a Date has no own members.
    assert.equal(canonicalJson({ at: new Date(0) }), '{"at":{}}');
  });

  it('agrees with a member-by-member serialiser on random values, sorted or not', () => {
    // The reference: sort the keys of every object, then serialise member by member.
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (v !== null && typeof v === 'object') {
        const members = Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined);
        return `{${members.map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`).join(',')}}`;
      }
      return JSON.stringify(v);
    };
    let seed = 20;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = ['a', 'b', 'B', '0', '1', '10', '9', 'é', '\ud83d\ude00', 'hash', 'aa', ''];
    // `undefined` only as an object member, where canonical JSON leaves it out; in an array it is refused.
    const value = (depth: number, member: boolean): unknown => {
      switch (next(depth > 3 ? 4 : 7)) {
        case 0: return `s${next(100)}\u2028"`;
        case 1: return next(2) === 0 ? next(1e6) / 7 : -next(100);
        case 2: return next(2) === 0;
        case 3: return member && next(3) === 0 ? undefined : null;
        case 4: return Array.from({ length: next(4) }, () => value(depth + 1, false));
        default: {
          const obj: Record<string, unknown> = {};
          for (let i = next(6); i > 0; i--) obj[keys[next(keys.length)]!] = value(depth + 1, true);
          return obj;
        }
      }
    };
    for (let i = 0; i < 2000; i++) {
      const v = value(0, false);
      assert.equal(canonicalJson(v), reference(v), JSON.stringify(v));
    }
  });
});

