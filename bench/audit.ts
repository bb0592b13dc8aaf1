import type { KeyObject } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { AuditLog, generateSigningKey, loadPublicKey, loadSigningKey, verifyAuditLog } from '../audit';
import { canonicalJson } from '../audit/canonical-json';
import { AppendFile } from '../audit/durable-files';
import { signCheckpoint } from '../audit/checkpoint';
import { auditPaths } from '../audit/log-state';
import { AuditRecord, computeRecordHash, GENESIS_HASH } from '../audit/record';

export interface AuditBenchOptions {
  /** Durable appends to time through `AuditLog` and through plain append+fdatasync (default 2000). */
  appends?: number;
  /** Size of each record's `data` payload in bytes (default 200). */
  dataBytes?: number;
  checkpointEvery?: number;
  /** Records in the synthetic log whose verification is timed (default 200,000). */
  verifyRecords?: number;
  /** Writers appending at once for the concurrent figures (default 16). */
  writers?: number;
  /** Parent for the scratch directory (default the OS temp dir); it is removed afterwards. */
  dir?: string;
}

export interface AuditBenchResult {
  appends: number;
  /** Mean stored line length, identical for both append paths. */
  lineBytes: number;
  checkpointEvery: number;
  /** `AuditLog.append`: validation, chaining, lock file, a durable (O_DSYNC) write, checkpoints. */
  auditAppendsPerSec: number;
  /** The same lines appended to one open file with write + fdatasync each. */
  plainAppendsPerSec: number;
  /** plain / audit: how many times slower a chained, locked, checkpointed append is. */
  auditOverhead: number;
  /**
   * The same lines appended by one write each to a file opened O_DSYNC, as the audit log writes them: one system call
   * and one threadpool hop per line where write + fdatasync takes two. Reported beside the baseline, as the
   * fastest plain durable append on this disk.
   */
  plainDsyncAppendsPerSec: number;
  /** This process's CPU (every thread) per append with one writer, for each side: what a loaded machine's wall clock hides. */
  cpuMicrosPerAppend: { audit: number; plain: number; plainDsync: number };
  /** Writers appending at once (the ingress answering many senders), for the two figures below. */
  writers: number;
  /** `AuditLog.append` from `writers` callers at once: group commit shares each durable write between them. */
  concurrentAuditAppendsPerSec: number;
  /** The same lines from `writers` callers at once, each with its own write + fdatasync on the shared file (rounds alternate with the audit side's). */
  concurrentPlainAppendsPerSec: number;
  verifyRecords: number;
  verifyCheckpointEvery: number;
  verifyRecordsPerSec: number;
  /** The same per second of this process's CPU time (every thread): what a loaded machine's wall clock hides. */
  verifyRecordsPerCpuSecond: number;
}

/** Measures the audit log's durable append rate against plain fsynced appends, and verification throughput. Prints nothing. */
export async function benchAudit(opts: AuditBenchOptions = {}): Promise<AuditBenchResult> {
  const appends = opts.appends ?? 2000;
  const checkpointEvery = opts.checkpointEvery ?? 100;
  const verifyRecords = opts.verifyRecords ?? 200_000;
  const payload = 'x'.repeat(opts.dataBytes ?? 200);
  const scratch = await fs.mkdtemp(join(opts.dir ?? tmpdir(), 'firebreak-bench-audit-'));
  const key = generateSigningKey();
  const signingKey = loadSigningKey(key.privatePem);
  try {
    const writers = opts.writers ?? 16;
    // Rounds alternate between the two sides, so a disk that other work slows for a while slows both alike.
    const one = await alternate(appends, 1, join(scratch, 'one'), signingKey, checkpointEvery, payload);
    const many = await alternate(appends, writers, join(scratch, 'many'), signingKey, checkpointEvery, payload);
    const lines = one.lines;

    const verifyDir = join(scratch, 'verify');
    // Shaped like a production log (a checkpoint every 1,000 records, the default): each checkpoint costs an Ed25519
    // verification, so the appends' denser checkpoints would make this mostly a signature benchmark.
    await writeSyntheticLog(verifyDir, verifyRecords, VERIFY_CHECKPOINT_EVERY, payload, signingKey);
    const verifyStart = process.hrtime.bigint();
    const verifyCpuStart = process.cpuUsage();
    const verification = await verifyAuditLog(verifyDir, loadPublicKey(key.publicPem));
    const verifySeconds = secondsSince(verifyStart);
    const verifyCpu = process.cpuUsage(verifyCpuStart);
    if (!verification.ok) throw new Error(`benchmark log failed verification: ${verification.problems[0]?.code}`);

    const auditAppendsPerSec = appends / one.auditSeconds;
    const plainAppendsPerSec = appends / one.plainSeconds;
    return {
      appends,
      lineBytes: Math.round(lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) / lines.length),
      checkpointEvery,
      auditAppendsPerSec: Math.round(auditAppendsPerSec),
      plainAppendsPerSec: Math.round(plainAppendsPerSec),
      auditOverhead: Number((plainAppendsPerSec / auditAppendsPerSec).toFixed(2)),
      plainDsyncAppendsPerSec: Math.round(appends / one.dsyncSeconds),
      cpuMicrosPerAppend: { audit: Math.round(one.auditCpu / appends), plain: Math.round(one.plainCpu / appends), plainDsync: Math.round(one.dsyncCpu / appends) },
      writers,
      concurrentAuditAppendsPerSec: Math.round(appends / many.auditSeconds),
      concurrentPlainAppendsPerSec: Math.round(appends / many.plainSeconds),
      verifyRecords,
      verifyCheckpointEvery: VERIFY_CHECKPOINT_EVERY,
      verifyRecordsPerSec: Math.round(verifyRecords / verifySeconds),
      verifyRecordsPerCpuSecond: Math.round(verifyRecords / ((verifyCpu.user + verifyCpu.system) / 1e6)),
    };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

const ROUNDS = 5;
const WARM_UP_APPENDS = 200;
const VERIFY_CHECKPOINT_EVERY = 1000;

interface SideFigures {
  auditSeconds: number;
  plainSeconds: number;
  dsyncSeconds: number;
  /** CPU microseconds, every thread of this process. */
  auditCpu: number;
  plainCpu: number;
  dsyncCpu: number;
  lines: string[];
}

/**
 * `appends` records through `AuditLog.append` from `writers` callers at once, and the very lines it stored appended
 * to a plain file by as many callers, once with write + fdatasync each and once with one write each to a file opened
 * O_DSYNC, in alternating rounds; each side's seconds and CPU summed.
 */
async function alternate(appends: number, writers: number, dir: string, signingKey: KeyObject, checkpointEvery: number, payload: string): Promise<SideFigures> {
  const log = await AuditLog.open(join(dir, 'audit'), { origin: 'bench.firebreak/audit', signingKey, checkpointEvery });
  const plain = await fs.open(join(dir, 'plain.jsonl'), 'a');
  const dsync = await AppendFile.open(join(dir, 'plain-dsync.jsonl'));
  const lines: string[] = [];
  const figures = { auditSeconds: 0, plainSeconds: 0, dsyncSeconds: 0, auditCpu: 0, plainCpu: 0, dsyncCpu: 0 };
  let warmingUp = true;
  const timed = async (side: 'audit' | 'plain' | 'dsync', run: () => Promise<void>): Promise<void> => {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await run();
    const cpu = process.cpuUsage(cpuStart);
    if (warmingUp) return;
    figures[`${side}Seconds`] += secondsSince(start);
    figures[`${side}Cpu`] += cpu.user + cpu.system;
  };
  try {
    // Round -1 warms every side up, untimed: in a fresh process the audit side's first appends run its code cold (the
    // engine compiling it as it goes): up to 1.1 ms of CPU each over the first 200, against 0.2-0.35 ms afterwards,
    // which a log appended to all day does not pay.
    for (let round = -1; round < ROUNDS; round++) {
      warmingUp = round < 0;
      const from = warmingUp ? appends : Math.floor((round * appends) / ROUNDS);
      const to = warmingUp ? appends + WARM_UP_APPENDS : Math.floor(((round + 1) * appends) / ROUNDS);
      await timed('audit', () =>
        inParallel(to - from, writers, (i) =>
          log.append({ key: `bench-${from + i}`, actor: { kind: 'system', id: 'bench' }, action: 'bench.appended', incidentId: 'inc-bench', data: { i: from + i, payload } }),
        ),
      );
      const stored = (await fs.readFile(auditPaths(join(dir, 'audit')).records, 'utf8')).split('\n').filter((l) => l.length > 0);
      const fresh = stored.slice(lines.length);
      lines.push(...fresh);
      await timed('plain', () =>
        inParallel(fresh.length, writers, async (i) => {
          await plain.write(`${fresh[i]}\n`);
          await plain.datasync();
        }),
      );
      await timed('dsync', () => inParallel(fresh.length, writers, (i) => dsync.append(Buffer.from(`${fresh[i]}\n`))));
    }
  } finally {
    await log.close();
    await plain.close();
    await dsync.close();
  }
  return { ...figures, lines };
}

async function inParallel(n: number, writers: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < n) await one(next++);
  }));
}

// Builds a valid log without per-record fsync, so a large verification run is cheap to set up.
async function writeSyntheticLog(dir: string, count: number, every: number, payload: string, key: ReturnType<typeof loadSigningKey>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const paths = auditPaths(dir);
  const records = createWriteStream(paths.records);
  const checkpoints: string[] = [];
  let prev = GENESIS_HASH;
  const at = new Date().toISOString();
  for (let seq = 1; seq <= count; seq++) {
    const body = { seq, at, key: `synthetic-${seq}`, actor: { kind: 'system' as const, id: 'bench' }, action: 'bench.appended', data: { i: seq, payload }, prev };
    const record: AuditRecord = { ...body, hash: computeRecordHash(body) };
    prev = record.hash;
    if (!records.write(`${canonicalJson(record)}\n`)) await once(records, 'drain');
    if (seq % every === 0 || seq === count) {
      checkpoints.push(JSON.stringify(signCheckpoint({ origin: 'bench.firebreak/audit', size: seq, head: prev, at: new Date(), key })));
    }
  }
  records.end();
  await once(records, 'finish');
  await fs.writeFile(paths.checkpoints, checkpoints.map((l) => `${l}\n`).join(''));
}

function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
