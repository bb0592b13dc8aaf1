import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncidentClient } from '../ingress/incident-client';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import type { Actor } from '../workflows/incident/messages';
import { redirectWithFlash, takeFlash } from './flash';
import { formBody } from './form-body';
import { incidentPath } from './pages/html';
import type { Chrome } from './pages/layout';
import { declarePage } from './pages/simple-pages';
import type { CookieSealer } from './session';

export interface DeclareDeps {
  incidents: Pick<IncidentClient, 'start'>;
  catalog: Pick<RunbookCatalog, 'runbooks'>;
  sealer: CookieSealer;
  chrome: (request: FastifyRequest, title: string) => Chrome & { viewer: NonNullable<Chrome['viewer']> };
  actor: (request: FastifyRequest) => Actor;
  sid: (request: FastifyRequest) => string;
}

/**
 * The labels box as the incident client's `labels`: one `name=value` per line, split at the first `=` (as `firebreak
 * declare --label`). Names and sizes are checked by the client's schema, the same for every edge; here only the lines.
 */
export function parseLabels(text: string): { labels: Record<string, string> } | { problem: string } {
  const labels: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at < 1) return { problem: `labels line ${i + 1}: expected name=value` };
    const name = line.slice(0, at).trim();
    if (name in labels) return { problem: `labels line ${i + 1}: ${name} is given twice` };
    labels[name] = line.slice(at + 1).trim();
  }
  return { labels };
}

const DECLARE = '/console/declare';

/** Declare an incident: the form, and its POST through the incident client (Post/Redirect/Get either way). */
export function registerDeclare(app: FastifyInstance, deps: DeclareDeps): void {
  app.get(DECLARE, async (request, reply) => {
    const flash = takeFlash(request, reply, deps.sealer, DECLARE, deps.sid(request));
    const problem = flash?.kind === 'refused' ? { code: flash.code ?? 'request.invalid', message: flash.text } : undefined;
    return reply.type('text/html; charset=utf-8').send(declarePage(deps.chrome(request, 'Declare an incident'), await deps.catalog.runbooks(), problem, flash?.form));
  });

  app.post(DECLARE, async (request, reply) => {
    const form = formBody(request);
    const typed = Object.fromEntries(['title', 'severity', 'runbook', 'labels', 'description'].map((k) => [k, form.get(k) ?? '']));
    const refused = (code: string, text: string) => redirectWithFlash(reply, deps.sealer, { kind: 'refused', code, text, path: DECLARE, sid: deps.sid(request), form: typed });
    const parsed = parseLabels(typed.labels!);
    if ('problem' in parsed) return refused('request.invalid', parsed.problem);
    const started = await deps.incidents.start({
      title: typed.title!,
      severity: (typed.severity || undefined) as never,
      runbook: typed.runbook!,
      description: typed.description!.trim() || undefined,
      ...(Object.keys(parsed.labels).length > 0 && { labels: parsed.labels }),
      by: deps.actor(request),
    });
    if (!started.ok) return refused(started.problem.code, started.problem.message);
    const path = incidentPath(started.value.incidentId);
    return redirectWithFlash(reply, deps.sealer, { kind: 'done', text: 'The incident is declared and its runbook is running.', path, sid: deps.sid(request) });
  });
}
