import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { SourceListing } from '../../ingress/api/source-routes';
import { resolveSourceAuth } from '../../worker/alert-sources';
import { signDelivery, SignDeliveryError } from '../../ingress/webhooks/delivery-signer';
import type { SourceKindName } from '../../ingress/webhooks/sources';
import { loadConfig } from '../../worker/config';
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

function genericSigningSecret(dataDir: string): string {
  if (process.env.FIREBREAK_WEBHOOK_SECRET) return process.env.FIREBREAK_WEBHOOK_SECRET;
  const file = path.join(dataDir, 'secrets', 'webhook-signing-secret');
  if (!existsSync(file)) throw new CliError(`no signing secret: ${file} does not exist (start Firebreak once, or set FIREBREAK_WEBHOOK_SECRET)`);
  return readFileSync(file, 'utf8').trim();
}

/**
 * The kind and resolved credentials of a source, read from the same config file (FIREBREAK_CONFIG) and secret
 * references (`env:`, `file:`) the server uses, so the CLI signs with exactly what the server verifies. The built-in
 * `generic` source uses the generated secret in the data dir (or FIREBREAK_WEBHOOK_SECRET).
 */
function sourceCredentials(name: string, dataDir: string): { kind: SourceKindName; auth: unknown } {
  const configured = loadConfig(process.env).sources[name];
  if (configured) return { kind: configured.kind, auth: resolveSourceAuth(name, configured) };
  if (name === 'generic') return { kind: 'standard-webhooks', auth: { secrets: [genericSigningSecret(dataDir)] } };
  throw new CliError(`source ${name} is not in the config file${process.env.FIREBREAK_CONFIG ? ` ${process.env.FIREBREAK_CONFIG}` : ' (set FIREBREAK_CONFIG)'}`, 2);
}

function registerSourcesCommand(program: Command): void {
  program
    .command('sources')
    .description('list the configured alert sources and the URL each sender should POST to')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const body = expectOk(await callApi(cliTarget(), 'GET', '/v1/sources'));
      const sources = body.sources as SourceListing[];
      const line = (s: SourceListing): string =>
        `${s.name.padEnd(16)} ${s.kind.padEnd(18)} ${s.url}${s.rateLimitPerMinute ? `  (${s.rateLimitPerMinute}/min per replica)` : ''}${s.builtIn ? '  (built in)' : ''}`;
      process.stdout.write(opts.json ? `${JSON.stringify(body, null, 2)}\n` : `${sources.map(line).join('\n')}\n`);
    });
}

/** `firebreak alert send` and `firebreak sources`: the alert ingress from the command line. */
export function registerAlertCommands(program: Command): void {
  const alert = program.command('alert').description('send alerts the way a monitoring tool would');
  alert
    .command('send')
    .description("sign a payload the way the source's tool does (Standard Webhooks, GitHub, PagerDuty, Grafana, Alertmanager) and send it")
    .option('--example', 'send a built-in example alert (generic source)')
    .option('--file <json>', 'send this JSON file as the body, byte for byte')
    .option('--source <name>', 'configured source to send to; its secrets come from the config file references', 'generic')
    .option('--github-event <name>', 'X-GitHub-Event for a github source (default: guessed from the body)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { example?: boolean; file?: string; source: string; githubEvent?: string; json?: boolean }) => {
      if (!opts.example && !opts.file) throw new CliError('say what to send: --example or --file <json>', 2);
      const target = cliTarget();
      const body = opts.file ? readFileSync(opts.file, 'utf8') : JSON.stringify(exampleAlert());
      const { kind, auth } = sourceCredentials(opts.source, target.dataDir);
      let headers: Record<string, string>;
      try {
        headers = signDelivery(kind, auth, body, { githubEvent: opts.githubEvent });
      } catch (error) {
        if (error instanceof SignDeliveryError || error instanceof SyntaxError) throw new CliError(`cannot sign for ${kind}: ${error.message}`, 2);
        throw error;
      }
      const answer = expectOk(await callApi({ ...target, token: undefined }, 'POST', `/v1/alerts/${opts.source}`, body, headers));
      const incidents = (answer.incidents as { incidentId: string; runbook: string }[] | undefined) ?? [];
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(answer)}\n`
          : answer.duplicate
            ? `duplicate delivery ${String(answer.deliveryId)}: nothing new\n`
            : incidents.length === 0
              ? 'accepted: no alerts in this delivery\n'
              : incidents.map((i) => `accepted: ${i.incidentId} (runbook ${i.runbook})\n`).join(''),
      );
    });
  // Registered here, beside `alert send`, because both are the ingress's commands.
  registerSourcesCommand(program);
}
