import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { CliError, callApi, cliTarget, expectOk } from '../api-client';

const incidentRoute = (id: string): string => {
  if (!/^incident\/[a-z0-9-]+\/[A-Za-z0-9]+$/.test(id)) throw new CliError(`"${id}" is not an incident id (incident/<source>/<id>)`);
  return `/v1/incidents/${id}`;
};

const MEDIA_TYPES: Record<string, string> = { '.json': 'application/json', '.txt': 'text/plain', '.log': 'text/plain', '.eml': 'message/rfc822', '.pcap': 'application/vnd.tcpdump.pcap', '.png': 'image/png', '.pdf': 'application/pdf' };

/** `evidence add|list|get|hand-over` over the HTTP API: files stream up and down, never whole in memory. */
export function registerEvidenceCommands(program: Command): void {
  const evidence = program.command('evidence').description('evidence with chain of custody');

  evidence
    .command('add <incident> <file>')
    .description('upload a file as evidence (streamed; hashed and stored write-once)')
    .option('--note <text>', 'why it matters, where it came from')
    .option('--media-type <type>', 'media type (default: from the file extension)')
    .action(async (incident: string, file: string, opts: { note?: string; mediaType?: string }) => {
      const target = cliTarget();
      const size = (await fs.stat(file)).size;
      const query = new URLSearchParams({ name: path.basename(file), ...(opts.note && { note: opts.note }) });
      const response = await fetch(`${target.baseUrl}${incidentRoute(incident)}/evidence?${query}`, {
        method: 'POST',
        headers: {
          ...(target.token && { authorization: `Bearer ${target.token}` }),
          'content-type': opts.mediaType ?? MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          'content-length': String(size),
        },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const body = expectOk({ status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> });
      process.stdout.write(`${body.evidenceId}  sha256 ${body.sha256}  ${body.size} bytes\n`);
    });

  evidence
    .command('list <incident>')
    .description("an incident's evidence with hashes and custody")
    .option('--json', 'machine-readable output')
    .action(async (incident: string, opts: { json?: boolean }) => {
      const body = expectOk(await callApi(cliTarget(), 'GET', `${incidentRoute(incident)}/evidence`));
      const items = body.items as { evidenceId: string; name: string; sha256: string; size: number; custody: { event: string; at: string; by: { id: string } }[] }[];
      if (opts.json) return void process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      if (items.length === 0) return void process.stdout.write('no evidence\n');
      for (const item of items) {
        process.stdout.write(`${item.evidenceId}  ${item.name}  ${item.size} bytes  sha256 ${item.sha256}\n`);
        for (const c of item.custody) process.stdout.write(`    ${c.at}  ${c.event}  by ${c.by.id}\n`);
      }
    });

  evidence
    .command('get <evidenceId>')
    .description('download an item (re-verified by the server, recorded as exported); refused when tampered')
    .requiredOption('--out <file>', 'where to write it')
    .option('--purpose <text>', 'why you need it (recorded in the custody trail)', 'export via CLI')
    .action(async (evidenceId: string, opts: { out: string; purpose: string }) => {
      const target = cliTarget();
      const response = await fetch(`${target.baseUrl}/v1/evidence/${encodeURIComponent(evidenceId)}/content?${new URLSearchParams({ purpose: opts.purpose })}`, {
        headers: target.token ? { authorization: `Bearer ${target.token}` } : {},
      });
      if (!response.ok || !response.body) expectOk({ status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> });
      const hash = createHash('sha256');
      const hashing = new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, hash.update(chunk) && chunk) });
      await pipeline(Readable.fromWeb(response.body as never), hashing, createWriteStream(opts.out, { mode: 0o600 }));
      const sha256 = hash.digest('hex');
      // The server checked its copy; this checks nothing changed on the way.
      if (sha256 !== response.headers.get('x-evidence-sha256')) {
        await fs.unlink(opts.out).catch(() => undefined);
        throw new CliError(`evidence.transfer_mismatch: downloaded bytes hash to ${sha256}, not the recorded hash`);
      }
      process.stdout.write(`wrote ${opts.out}  sha256 ${sha256} (verified)\n`);
    });

  evidence
    .command('hand-over <evidenceId>')
    .description('record a transfer of custody to a named person or organisation')
    .requiredOption('--to <who>', 'who receives it')
    .requiredOption('--reason <text>', 'why')
    .action(async (evidenceId: string, opts: { to: string; reason: string }) => {
      const body = expectOk(await callApi(cliTarget(), 'POST', `/v1/evidence/${encodeURIComponent(evidenceId)}/hand-over`, { to: opts.to, reason: opts.reason }));
      process.stdout.write(`handed over ${evidenceId} to ${body.to} at ${body.at}\n`);
    });
}
