import assert from 'node:assert/strict';
import { canonicalJson } from '../../audit/canonical-json';
import { computeRecordHash, GENESIS_HASH, lineCarriesHash, sealRecord } from '../../audit/record';

const base = { seq: 7, at: new Date().toISOString(), key: 'k', actor: { kind: 'system', id: 'bench' }, action: 'test.appended', prev: GENESIS_HASH } as const;

describe('sealing audit records', () => {
  const bodies = {
    'no optional fields': { ...base, data: {} },
    'incident and subject': { ...base, incidentId: 'inc-1', subject: 'step/x', data: { n: 1 } },
    'incident only': { ...base, incidentId: 'inc-1', data: { n: 1.5, big: 1e21, neg: -0 } },
    'subject only': { ...base, subject: 'step/"quoted"\u2028', data: { list: [] } },
    // Members named like the record's own hash, nested in data, must not confuse either function.
    'a nested hash member': { ...base, data: { hash: 'abc', deeper: { hash: GENESIS_HASH, list: [1, 'two', null] }, 'é': 'ü' } },
  };
  for (const [name, body] of Object.entries(bodies)) {
    it(`stores the canonical JSON of the record and its hash (${name})`, () => {
      const { record, line } = sealRecord(body);
      assert.equal(record.hash, computeRecordHash(body));
      assert.equal(line, canonicalJson(record));
      assert.equal(lineCarriesHash(line, record.hash), true);
    });
  }

  it('a line that is changed, reordered or not canonical does not carry its hash', () => {
    const { record, line } = sealRecord(bodies['incident and subject']);
    assert.equal(lineCarriesHash(line.replace('"n":1', '"n":2'), record.hash), false);
    assert.equal(lineCarriesHash(JSON.stringify({ hash: record.hash, ...bodies['incident and subject'] }), record.hash), false);
    assert.equal(lineCarriesHash(line.replace(',', ', '), record.hash), false);
    assert.equal(lineCarriesHash(line, GENESIS_HASH), false);
  });
});
