import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import { loadPublicKey, verifyAuditLog, WitnessReport, type AuditVerification } from '../../audit';
import { type CliTarget, callApi, cliTarget } from '../api-client';
import { verifyBundle, type BundleVerification } from '../../report/verify-bundle';

/** Where `audit verify` looks when no `--dir` is given: `<dataDir>/audit`. */
export const DEFAULT_AUDIT_SUBDIR = 'audit';
/** Where `audit verify` looks when no `--public-key` is given: `<dataDir>/audit-checkpoint.pub.pem`. */
export const DEFAULT_AUDIT_PUBLIC_KEY_FILE = 'audit-checkpoint.pub.pem';

const PROBLEMS_SHOWN = 20;

/** The witness's heads from the running service; a string says why they could not be had. */
async function fetchWitness(target: CliTarget): Promise<WitnessReport | string> {
  let answer: Awaited<ReturnType<typeof callApi>>;
  try {
    answer = await callApi(target, 'GET', '/v1/audit/witness');
  } catch (error) {
    return (error as Error).message;
  }
  if (answer.status !== 200) return `${target.baseUrl} answered ${answer.status} ${String(answer.body.error ?? '')}`.trim();
  const parsed = WitnessReport.safeParse(answer.body);
  return parsed.success ? parsed.data : 'the witness answer is malformed';
}

/**
 * Adds `audit verify`. Exit code: 0 when every record and checkpoint verifies and the log reaches every head Temporal
 * recorded, 1 when the log has problems, 2 when it could not be checked (no key, unreadable key, witness unreachable
 * without `--no-witness`).
 */
export function registerAuditCommands(program: Command, ctx: { dataDir: () => string; target?: () => CliTarget }): void {
  const audit = program.command('audit').description('inspect the tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute the hash chain and check every signed checkpoint; prints the first bad record by sequence number')
    .option('--dir <dir>', 'audit log directory (default: <data dir>/audit)')
    .option(
      '--public-key <file>',
      'Ed25519 public key PEM of the checkpoint signer (default: <data dir>/audit-checkpoint.pub.pem); ' +
        'for an independent check use a copy kept off this machine',
    )
    .option('--json', 'print the full result as JSON')
    .option('--bundle <path>', 'verify an export bundle (directory or .tar) offline instead of the local log')
    .option('--no-witness', 'check the log against itself only, without the audit heads Temporal recorded (cannot see a truncated or rolled-back log)')
    .action(async (opts: { dir?: string; publicKey?: string; json?: boolean; bundle?: string; witness: boolean }) => {
      if (opts.bundle) return verifyBundleCommand(opts.bundle, opts.publicKey, Boolean(opts.json));
      const dir = opts.dir ?? join(ctx.dataDir(), DEFAULT_AUDIT_SUBDIR);
      const keyFile = opts.publicKey ?? join(ctx.dataDir(), DEFAULT_AUDIT_PUBLIC_KEY_FILE);
      let pem: string;
      try {
        pem = await fs.readFile(keyFile, 'utf8');
      } catch {
        process.stderr.write(`audit verify: cannot read public key ${keyFile} (pass --public-key)\n`);
        process.exitCode = 2;
        return;
      }
      let witness: WitnessReport | undefined;
      if (opts.witness) {
        const fetched = await fetchWitness((ctx.target ?? (() => cliTarget()))());
        if (typeof fetched === 'string') {
          process.stderr.write(`audit verify: cannot read the witness (the audit heads Temporal recorded): ${fetched}\n  pass --no-witness to check the log against itself only\n`);
          process.exitCode = 2;
          return;
        }
        witness = fetched;
      }
      let result: AuditVerification;
      try {
        result = await verifyAuditLog(dir, loadPublicKey(pem), { witness });
      } catch (err) {
        process.stderr.write(`audit verify: ${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderVerification(dir, result));
      process.exitCode = result.ok ? 0 : 1;
    });
}

/** Human-readable summary; the first problem is the first bad record by sequence number. */
export function renderVerification(dir: string, result: AuditVerification): string {
  const witnessed = result.witness
    ? `; witness ${result.witness.source}: ${result.witness.heads} head(s) from ${result.witness.runs} run(s)${result.witness.unreadableRuns ? ` (${result.witness.unreadableRuns} unreadable)` : ''}, newest at seq ${result.witness.newest}`
    : '; no witness consulted';
  const summary = `${result.records} record(s), ${result.checkpoints} checkpoint(s), head at seq ${result.head.size}${witnessed}`;
  if (result.ok) return `audit log OK: ${dir}\n  ${summary}\n`;
  const first = result.problems[0];
  const lines = [
    `audit log FAILED verification: ${dir}`,
    `  ${summary}`,
    first?.seq !== undefined ? `  first bad record: seq ${first.seq} (${first.code})` : `  first problem: ${first?.code}`,
    `  ${result.problems.length}${result.problemsTruncated ? '+' : ''} problem(s):`,
    ...result.problems.slice(0, PROBLEMS_SHOWN).map((p) => `    ${p.seq === undefined ? '-' : `seq ${p.seq}`} ${p.code}: ${p.message}`),
  ];
  if (result.problems.length > PROBLEMS_SHOWN) lines.push(`    ... ${result.problems.length - PROBLEMS_SHOWN} more (use --json)`);
  return `${lines.join('\n')}\n`;
}

/** `audit verify --bundle`: same exit codes; the key in the bundle is used unless `--public-key` names another copy. */
async function verifyBundleCommand(bundle: string, publicKeyFile: string | undefined, json: boolean): Promise<void> {
  const tar = bundle.endsWith('.tar');
  const dir = tar ? await mkdtemp(join(os.tmpdir(), 'firebreak-bundle-')) : bundle;
  let result: BundleVerification;
  try {
    if (tar) await promisify(execFile)('tar', ['-xf', bundle, '-C', dir]);
    result = await verifyBundle(dir, publicKeyFile ? loadPublicKey(await fs.readFile(publicKeyFile, 'utf8')) : undefined);
  } catch (err) {
    process.stderr.write(`audit verify: ${(err as { code?: string }).code ?? 'error'}: cannot check bundle ${bundle}\n`);
    process.exitCode = 2;
    return;
  } finally {
    if (tar) await rm(dir, { recursive: true, force: true });
  }
  const summary = `${result.incidentId ?? '?'}: ${result.incidentRecords} incident record(s) in a chain of ${result.records}, ${result.evidenceItems} evidence file(s), key ${result.publicKeyId ?? '?'}`;
  const text = result.ok
    ? `bundle OK: ${bundle}\n  ${summary}\n`
    : `bundle FAILED verification: ${bundle}\n  ${summary}\n${result.problems.map((p) => `    ${p.code}${p.seq !== undefined ? ` seq ${p.seq}` : ''}${p.path ? ` ${p.path}` : ''}`).join('\n')}\n`;
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : text);
  process.exitCode = result.ok ? 0 : 1;
}
