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
});
