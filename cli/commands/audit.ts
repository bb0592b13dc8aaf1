import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadPublicKey, verifyAuditLog, type AuditVerification } from '../../audit';

/** Where `audit verify` looks when no `--dir` is given: `<dataDir>/audit`. */
export const DEFAULT_AUDIT_SUBDIR = 'audit';
/** Where `audit verify` looks when no `--public-key` is given: `<dataDir>/audit-checkpoint.pub.pem`. */
export const DEFAULT_AUDIT_PUBLIC_KEY_FILE = 'audit-checkpoint.pub.pem';

const PROBLEMS_SHOWN = 20;

/**
 * Adds `audit verify`. Exit code: 0 when every record and checkpoint verifies, 1 when the
 * log has problems, 2 when it could not be checked (no key, unreadable key).
 */
export function registerAuditCommands(program: Command, ctx: { dataDir: () => string }): void {
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
    .action(async (opts: { dir?: string; publicKey?: string; json?: boolean }) => {
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
      let result: AuditVerification;
      try {
        result = await verifyAuditLog(dir, loadPublicKey(pem));
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
  const summary = `${result.records} record(s), ${result.checkpoints} checkpoint(s), head at seq ${result.head.size}`;
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
