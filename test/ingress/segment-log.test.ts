import assert from 'node:assert/strict';
import { constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { SegmentLog } from '../../ingress/segment-log';
import { tempDir } from '../helpers/temporal';

/** The open flags of this process's descriptor on `file` (Linux: /proc/self/fd and fdinfo). */
function openFlags(file: string): number {
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the descriptor readdir itself used, closed by now
    }
    if (target === file) return Number.parseInt(/^flags:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
  }
  throw new Error(`${file} is not open in this process`);
}

describe('segment log files (the incident generations index and the delivery ids)', () => {
  const opened: SegmentLog[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((log) => log.close()));
  });
  const segmentLog = (dir: string, durable: boolean): SegmentLog => {
    const log = new SegmentLog(dir, { rotateEveryMs: 3600_000, durable });
    opened.push(log);
    return log;
  };

  it('hands another reader every appended line, in order and whole, batch after batch', async () => {
    const dir = tempDir('segments');
    const writer = segmentLog(dir, true);
    const reader = segmentLog(dir, false);
    const seen: string[] = [];
    await writer.append(['a 1', 'b 2'], Date.now());
    await reader.refresh((line) => seen.push(line), Date.now());
    await writer.append(['c 3', 'ü 4'], Date.now());
    await writer.append([], Date.now());
    await reader.refresh((line) => seen.push(line), Date.now());
    assert.deepEqual(seen, ['a 1', 'b 2', 'c 3', 'ü 4']);
  });

  it('opens a durable segment O_APPEND|O_DSYNC, so each batch is on disk when its one write returns; a non-durable one without O_DSYNC', async function () {
    if (process.platform !== 'linux') this.skip(); // reads the open flags from /proc/self/fdinfo, which only Linux has
    for (const durable of [true, false]) {
      const dir = tempDir('segments-flags');
      await segmentLog(dir, durable).append(['x 1'], Date.now());
      const [name] = readdirSync(dir);
      const flags = openFlags(path.join(dir, name!));
      assert.equal(flags & constants.O_APPEND, constants.O_APPEND, 'O_APPEND');
      assert.equal(flags & constants.O_DSYNC, durable ? constants.O_DSYNC : 0, durable ? 'O_DSYNC' : 'no O_DSYNC');
    }
  });
});
