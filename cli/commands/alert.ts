import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { signStandardWebhook } from '../../ingress/webhooks/sources/sign';
import { CliError, callApi, cliTarget, expectOk } from '../api-client';

/** A realistic first alert for trying Firebreak out. */
export function exampleAlert(): Record<string, unknown> {
  return {
    title: 'Impossible travel: sign-in for j.doe from two countries within 10 minutes',
    severity: 'high',
    labels: { category: 'example', user: 'j.doe', tool: 'firebreak-cli' },
    description: 'Sign-ins from Lisbon and Singapore 9 minutes apart. Sent by `firebreak alert send --example`.',
    occurredAt: new Date().toISOString(),
  };
}

function signingSecret(dataDir: string): string {
  if (process.env.FIREBREAK_WEBHOOK_SECRET) return process.env.FIREBREAK_WEBHOOK_SECRET;
  const file = path.join(dataDir, 'secrets', 'webhook-signing-secret');
  if (!existsSync(file)) throw new CliError(`no signing secret: ${file} does not exist (start Firebreak once, or set FIREBREAK_WEBHOOK_SECRET)`);
  return readFileSync(file, 'utf8').trim();
}

export function registerAlertCommands(program: Command): void {
  const alert = program.command('alert').description('send alerts the way a monitoring tool would');
  alert
    .command('send')
    .description('sign (Standard Webhooks) and send an alert to the generic source')
    .option('--example', 'send a built-in example alert')
    .option('--file <json>', 'send this JSON file as the alert body')
    .option('--source <name>', 'alert source', 'generic')
    .option('--json', 'machine-readable output')
    .action(async (opts: { example?: boolean; file?: string; source: string; json?: boolean }) => {
      if (!opts.example && !opts.file) throw new CliError('say what to send: --example or --file <json>', 2);
      const target = cliTarget();
      const body = opts.file ? readFileSync(opts.file, 'utf8') : JSON.stringify(exampleAlert());
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(signingSecret(target.dataDir), id, timestamp, body) };
      const answer = expectOk(await callApi({ ...target, token: undefined }, 'POST', `/v1/alerts/${opts.source}`, body, headers));
      const incidents = (answer.incidents as { incidentId: string; runbook: string }[] | undefined) ?? [];
      process.stdout.write(
        opts.json ? `${JSON.stringify(answer)}\n` : answer.duplicate ? `duplicate delivery ${id}: nothing new\n` : incidents.map((i) => `accepted: ${i.incidentId} (runbook ${i.runbook})\n`).join(''),
      );
    });
}
