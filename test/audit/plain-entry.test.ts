import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { AuditLog, verifyAuditLog } from '../../audit';
import { canonicalJson } from '../../audit/canonical-json';
import { AuditEntry } from '../../audit/record';
import { readLogLines, tempDir, testKeys } from './fixtures/temp-log';

const actor = { kind: 'system', id: 'firebreak' } as const;
const keys = testKeys();

const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });
const withSymbol = { a: 1, [Symbol('s')]: 2 };
class Point {
  x = 1;
}
// `data` values around the edge of plain JSON: the append must answer as the full `AuditEntry` schema does.
const cases: Record<string, unknown> = {
  'nested plain JSON': { list: [1, 'two', null, true, { deep: [-0, 1e21] }], obj: { b: 1, a: 2 } },
  'an empty object and array': { o: {}, a: [] },
  'a null-prototype object': { o: Object.assign(Object.create(null), { b: 1 }) },
  'an own __proto__ member': JSON.parse('{"o":{"__proto__":{"x":1},"y":2}}'),
  'a hidden member': { o: hidden },
  'a symbol key': { o: withSymbol },
  'a function': { f: () => 1 },
  'NaN': { n: Number.NaN },
  'Infinity deep down': { n: [1, { m: Number.POSITIVE_INFINITY }] },
  'undefined in an array': { a: [1, undefined] },
  'a hole in an array': { a: [1, , 3] },
  'a Date': { at: new Date(0) },
  'a class instance': { p: new Point() },
  'a Map': { m: new Map([[1, 2]]) },
  'a bigint': { b: BigInt(1) },
};

describe('audit entries of plain JSON take a cheaper parse', () => {
  let dir: string;
  let log: AuditLog;
  beforeEach(async () => {
    dir = await tempDir('audit-plain');
    log = await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey });
  });
  afterEach(async () => {
    await log.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const [name, data] of Object.entries(cases)) {
    it(`answers as the full schema does for ${name}`, async () => {
      const entry = { key: `k-${name}`, actor, action: 'test.appended', data } as AuditEntry;
      const full = AuditEntry.safeParse(entry);
      if (full.success) {
        const record = await log.append(entry);
        const [line] = await readLogLines(dir);
        assert.equal(JSON.stringify(JSON.parse(line!).data), canonicalJson(full.data.data), 'stored as the full parse outputs it');
        assert.equal(canonicalJson(record.data), canonicalJson(full.data.data));
      } else {
        await assert.rejects(log.append(entry), (err: { code?: string; details?: { paths?: string[] } }) => {
          assert.equal(err.code, 'audit.invalid_entry');
          assert.deepEqual(err.details?.paths, full.error.issues.map((i) => i.path.join('.')));
          return true;
        });
        assert.deepEqual(await readLogLines(dir), []);
      }
    });
  }

  it('stores data as it was when appended, though the caller changes it before the write', async () => {
    const data = { list: [1], inner: { n: 1 } };
    const appended = log.append({ key: 'mutated', actor, action: 'test.appended', data });
    data.list.push(2);
    data.inner.n = 2;
    await appended;
    const [line] = await readLogLines(dir);
    assert.deepEqual(JSON.parse(line!).data, { inner: { n: 1 }, list: [1] });
    await log.close();
    assert.deepEqual((await verifyAuditLog(dir, keys.publicKey)).problems, []);
  });
});
