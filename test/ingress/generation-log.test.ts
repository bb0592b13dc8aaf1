import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { GenerationLog } from '../../ingress/generation-log';
import { FileGenerationIndex, generationId } from '../../ingress/incident-generations';
import { tempDir } from '../helpers/temporal';

const baseId = (fingerprint: string): string => `incident/mon/${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;

describe('the incident generations index as a segment log on the shared volume', () => {
  const opened: GenerationLog[] = [];
  const log = (dir: string): GenerationLog => {
    const index = new GenerationLog(dir);
    opened.push(index);
    return index;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((l) => l.close()));
  });

  it('gives the newest generation with its facts, also to a replica that had read the folder before it was recorded', async () => {
    const dir = tempDir('generations');
    const id = baseId('disk-full');
    const a = log(dir);
    const b = log(dir);
    assert.equal(await b.latest(id), undefined);
    await a.record(id, { generation: 1, incidentId: id, openedAt: '2026-01-01T00:00:00.000Z', occurredAt: '2026-01-01T00:00:00.000Z' });
    await a.record(id, { generation: 2, incidentId: generationId(id, 2), occurredAt: '2026-01-02T00:00:00.000Z' });
    await a.record(id, { generation: 1, incidentId: id });
    // b looked a moment ago; a look serves the next 50 ms.
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(await b.latest(id), { generation: 2, opened: { generation: 2, incidentId: `${id}r2`, occurredAt: '2026-01-02T00:00:00.000Z' } });
    assert.deepEqual(await a.latest(id), await b.latest(id));
    assert.equal(await b.latest(baseId('other')), undefined);
  });

  it('keeps every generation across a restart, with concurrent records of many fingerprints in one segment', async () => {
    const dir = tempDir('generations-restart');
    const before = log(dir);
    const ids = Array.from({ length: 40 }, (_, i) => baseId(`fp-${i}`));
    await Promise.all(ids.map((id, i) => before.record(id, { generation: 1 + (i % 3), incidentId: generationId(id, 1 + (i % 3)) })));
    await before.close();
    const after = log(dir);
    assert.deepEqual(await Promise.all(ids.map(async (id) => (await after.latest(id))?.generation)), ids.map((_, i) => 1 + (i % 3)));
    assert.equal(readdirSync(path.join(dir, '_segments')).length, 1);
  });

  it('still counts generations an earlier release kept as one file each, and the seed from the audit log', async () => {
    const dir = tempDir('generations-legacy');
    const legacyId = baseId('legacy');
    await new FileGenerationIndex(dir).record(legacyId, { generation: 3, incidentId: generationId(legacyId, 3), occurredAt: '2026-01-03T00:00:00.000Z' });
    const seededId = baseId('seeded');
    const index = log(dir);
    index.adopt(new Map([[seededId, 4]]));
    assert.deepEqual(await index.latest(legacyId), { generation: 3, opened: { generation: 3, incidentId: `${legacyId}r3`, occurredAt: '2026-01-03T00:00:00.000Z' } });
    assert.deepEqual(await index.latest(seededId), { generation: 4 });
    await index.record(legacyId, { generation: 4, incidentId: generationId(legacyId, 4) });
    assert.equal((await index.latest(legacyId))?.generation, 4, 'a newer logged generation wins over the legacy files');
    await index.record(legacyId, { generation: 2, incidentId: generationId(legacyId, 2) });
    assert.equal((await log(dir).latest(legacyId))?.generation, 4, 'and an older one never lowers it');
  });
});
