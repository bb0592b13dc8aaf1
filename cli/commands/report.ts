import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { loadPublicKey } from '../../audit';
import { exportBundle } from '../../report/export-bundle';
import { CliError, cliTarget } from '../api-client';

const incidentRoute = (id: string): string => {
  if (!/^incident\/[a-z0-9-]+\/[A-Za-z0-9]+$/.test(id)) throw new CliError(`"${id}" is not an incident id (incident/<source>/<id>)`);
  return `/v1/incidents/${id}`;
};

/** `report` (over the HTTP API) and `export` (from this machine's stores, so it works with the service stopped). */
export function registerReportCommands(program: Command): void {
  program
    .command('report <incident>')
    .description('the post-incident report: timeline, decisions, evidence and custody, clocks, notices, audit verification')
    .option('--format <format>', 'md or html', 'md')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (incident: string, opts: { format: string; out?: string }) => {
      if (!['md', 'html'].includes(opts.format)) throw new CliError('report.format_invalid: --format is md or html', 2);
      const target = cliTarget();
      const response = await fetch(`${target.baseUrl}${incidentRoute(incident)}/report?format=${opts.format}`, { headers: target.token ? { authorization: `Bearer ${target.token}` } : {} }).catch((error: Error) => {
        throw new CliError(`cannot reach Firebreak at ${target.baseUrl} (${error.message})`);
      });
      const text = await response.text();
      if (!response.ok) throw new CliError(`${(JSON.parse(text || '{}') as { error?: string }).error ?? `http.${response.status}`}: report not available`);
      if (opts.out) await writeFile(opts.out, text);
      else process.stdout.write(text);
    });

  program
    .command('export <incident>')
    .description('write an export bundle (report, evidence, audit chain with checkpoint and public key, manifest) to a directory or .tar')
    .requiredOption('--out <path>', 'an empty directory, or a file ending in .tar')
    .action(async (incident: string, opts: { out: string }) => {
      // Loaded here: the other commands don't need the worker's modules.
      // require, not import(): the CLI runs under tsx's CommonJS hook, whose import() cannot load .ts files.
      const { openLocalStores } = require('../../worker/local-stores') as typeof import('../../worker/local-stores');
      const stores = await openLocalStores();
      const tar = opts.out.endsWith('.tar');
      const dir = tar ? await mkdtemp(path.join(os.tmpdir(), 'firebreak-export-')) : opts.out;
      try {
        const manifest = await exportBundle(incident, dir, {
          auditDir: stores.auditDir,
          auditLog: stores.auditLog,
          evidence: stores.evidence,
          publicKey: loadPublicKey(stores.publicKeyPem),
          publicKeyPem: stores.publicKeyPem,
          actor: stores.operator,
        });
        if (tar) await promisify(execFile)('tar', ['-cf', path.resolve(opts.out), '-C', dir, '.']);
        process.stdout.write(`exported ${incident}: ${manifest.files.length} files, audit chain to checkpoint ${manifest.checkpoint.size} -> ${opts.out}\n`);
      } finally {
        await stores.close();
        if (tar) await rm(dir, { recursive: true, force: true });
      }
    });
}
