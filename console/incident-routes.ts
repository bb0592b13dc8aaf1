import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Problem } from '../ingress/incident-client';
import type { Actor } from '../workflows/incident/messages';
import type { Viewer } from './access';
import { formBody } from './form-body';
import { type IncidentData, incidentData, type DataDeps } from './incident-data';
import { fragmentsDigest, type LiveFeeds } from './live';
import { incidentPath } from './pages/html';
import { type Flash, incidentFragments, incidentPage } from './pages/incident-page';
import { listPage, listRows, parseFilters } from './pages/incident-list';
import type { Chrome } from './pages/layout';
import { declarePage, errorPage, reportPage } from './pages/simple-pages';
import type { CookieSealer, Session } from './session';

export interface PageDeps extends DataDeps {
  sealer: CookieSealer;
  live: LiveFeeds;
  liveLists: LiveFeeds;
  log: Logger;
}

const ID = '/console/incidents/:a/:b/:c';
const DONE: Record<string, string> = { approve: 'Your approval is recorded.', reject: 'Your rejection is recorded.', answer: 'Your answer is recorded.', resolve: 'Your decision on the blocked step is recorded.', stop: 'The clock is stopped, with your reason.', abort: 'The incident is being aborted.', declared: 'The incident is declared and its runbook is running.' };

const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

/** The incidents list, one incident (live), its report, the decision forms and declaring an incident. */
export function registerIncidentPages(app: FastifyInstance, deps: PageDeps): void {
  const data = incidentData(deps);
  const session = (request: FastifyRequest): Session => request.consoleSession!;
  const viewer = (request: FastifyRequest): Viewer => ({ id: session(request).personId, roles: session(request).roles });
  const actor = (request: FastifyRequest): Actor => ({ kind: 'person', id: session(request).personId, roles: session(request).roles });
  const chrome = (request: FastifyRequest, title: string) => ({ title, viewer: { id: session(request).personId, name: session(request).name, roles: session(request).roles, csrf: deps.sealer.csrfToken(session(request)) } });
  const idOf = (request: FastifyRequest) => {
    const { a, b, c } = request.params as Record<string, string>;
    return /^[a-z0-9-]+$/.test(b ?? '') && /^[A-Za-z0-9]+$/.test(c ?? '') && a === 'incident' ? `${a}/${b}/${c}` : undefined;
  };
  const failure = (request: FastifyRequest, reply: FastifyReply, p: { code: string; message: string; status: number }) =>
    html(reply, p.status, errorPage(chrome(request, 'Error'), p.status, p.code, p.message));

  app.get('/console/incidents', async (request, reply) => {
    const started = performance.now();
    const filters = parseFilters(request.query as Record<string, unknown>);
    const listed = await data.list(viewer(request), filters);
    if (!listed) return failure(request, reply, { status: 503, code: 'temporal.unavailable', message: 'Temporal did not answer; try again shortly.' });
    const runbooks = (await deps.catalog.runbooks()).map((p) => p.runbook.id);
    const now = Date.now();
    const rows = listRows(listed.rows, now);
    const page = listPage(chrome(request, 'Incidents'), listed.rows, filters, runbooks, now, listed.more, fragmentsDigest({ rows }));
    // The server's own time for the page (list, status queries, rendering), for browsers' tools and the benchmark.
    return html(reply.header('server-timing', `page;dur=${(performance.now() - started).toFixed(1)}`), 200, page);
  });

  app.get('/console/incidents/events', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filters = parseFilters(query);
    const who = viewer(request);
    reply.hijack();
    await deps.liveLists.open(`list:${session(request).sid}:${JSON.stringify(filters)}`, reply.raw, async () => {
      const listed = await data.list(who, filters);
      return listed && { rows: listRows(listed.rows, Date.now()) };
    }, typeof query.seen === 'string' ? query.seen : undefined);
  });

  async function showIncident(request: FastifyRequest, reply: FastifyReply, incidentId: string, flash?: Flash, code = 200) {
    const found = await data.status(viewer(request), incidentId);
    if ('problem' in found) return failure(request, reply, found.problem);
    const c = chrome(request, found.status.title);
    const fragments = incidentFragments(found.status, await data.graph(found.status), viewer(request), c.viewer.csrf, Date.now());
    const report = await data.report(incidentId, found.status, false);
    return html(reply, code, incidentPage(c, found.status, fragments, report, fragmentsDigest({ ...fragments }), flash));
  }

  app.get(ID, async (request, reply) => {
    const incidentId = idOf(request);
    if (!incidentId) return failure(request, reply, { status: 404, code: 'incident.not_found', message: 'no such incident' });
    const done = (request.query as Record<string, unknown>).done;
    return showIncident(request, reply, incidentId, typeof done === 'string' && DONE[done] ? { kind: 'done', text: DONE[done]! } : undefined);
  });

  app.get(`${ID}/events`, async (request, reply) => {
    const incidentId = idOf(request);
    const who = viewer(request);
    const found = incidentId ? await data.status(who, incidentId) : undefined;
    if (!incidentId || !found || 'problem' in found) return reply.code(404).type('text/plain').send('incident.not_found');
    const csrf = deps.sealer.csrfToken(session(request));
    const seen = (request.query as Record<string, unknown>).seen;
    reply.hijack();
    await deps.live.open(`incident:${incidentId}:${session(request).sid}`, reply.raw, async () => {
      const now = await data.status(who, incidentId);
      if ('problem' in now) return undefined;
      return { ...incidentFragments(now.status, await data.graph(now.status), who, csrf, Date.now()) };
    }, typeof seen === 'string' ? seen : undefined);
  });

  app.get(`${ID}/report`, async (request, reply) => {
    const incidentId = idOf(request);
    const found = incidentId ? await data.status(viewer(request), incidentId) : undefined;
    if (!incidentId || !found || 'problem' in found) return failure(request, reply, { status: 404, code: 'incident.not_found', message: 'no such incident' });
    const report = await data.report(incidentId, found.status, true);
    if (!report) return failure(request, reply, { status: 503, code: 'report.unavailable', message: 'the audit log or evidence store could not be read' });
    return html(reply, 200, reportPage(chrome(request, `Report: ${found.status.title}`), report));
  });

  registerDecisionForms(app, deps, data, { idOf, actor, showIncident, viewer });
  registerDeclare(app, deps, { chrome, actor });
}

interface FormHelpers {
  idOf: (request: FastifyRequest) => string | undefined;
  actor: (request: FastifyRequest) => Actor;
  showIncident: (request: FastifyRequest, reply: FastifyReply, incidentId: string, flash?: Flash, code?: number) => Promise<unknown>;
}

/** Coerces a typed answer from its form text (the validator checks it against the question's type). */
function answerValue(type: string | null, value: string): string | number | boolean {
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** Each form goes through the incident client: a refusal comes back as the validator's code, shown on the page. */
function registerDecisionForms(app: FastifyInstance, deps: PageDeps, data: IncidentData, helpers: FormHelpers & { viewer: (request: FastifyRequest) => Viewer }): void {
  type Run = (form: URLSearchParams, base: { incidentId: string; actor: Actor }, params: Record<string, string>) => Promise<{ ok: true } | { ok: false; problem: Problem }>;
  const handle = (done: string | ((form: URLSearchParams) => string), run: Run) => async (request: FastifyRequest, reply: FastifyReply) => {
    const incidentId = helpers.idOf(request);
    // Only someone who may see the incident may act on it (the read guard audits a refusal).
    const visible = incidentId ? await data.status(helpers.viewer(request), incidentId) : undefined;
    if (!incidentId || !visible) return reply.code(404).type('text/plain').send('incident.not_found');
    if ('problem' in visible) return reply.code(visible.problem.status).type('text/plain').send(visible.problem.code);
    const form = formBody(request);
    const outcome = await run(form, { incidentId, actor: helpers.actor(request) }, request.params as Record<string, string>);
    if (outcome.ok) return reply.redirect(`${incidentPath(incidentId)}?done=${typeof done === 'string' ? done : done(form)}`, 303);
    return helpers.showIncident(request, reply, incidentId, { kind: 'refused', code: outcome.problem.code, text: outcome.problem.message }, outcome.problem.status);
  };
  const reason = (form: URLSearchParams) => form.get('reason') ?? '';
  const decision = (form: URLSearchParams) => (form.get('decision') === 'reject' ? 'reject' : 'approve');

  app.post(`${ID}/steps/:step/decide`, handle(decision, (form, base, p) => {
    const request = { ...base, stepId: p.step!, reason: reason(form), draftSha256: form.get('draftSha256') || undefined };
    return decision(form) === 'reject' ? deps.incidents.reject(request) : deps.incidents.approve(request);
  }));
  app.post(`${ID}/steps/:step/answer`, handle('answer', (form, base, p) => deps.incidents.answer({ ...base, stepId: p.step!, value: answerValue(form.get('type'), form.get('value') ?? '') })));
  app.post(`${ID}/steps/:step/resolve`, handle('resolve', (form, base, p) => deps.incidents.resolve({ ...base, stepId: p.step!, choice: form.get('choice') as 'retry', reason: reason(form) })));
  app.post(`${ID}/clocks/:clock/stop`, handle('stop', (form, base, p) => deps.incidents.stopClock({ ...base, clockId: p.clock!, reason: reason(form) })));
  app.post(`${ID}/abort`, handle('abort', (form, base) => deps.incidents.abort({ ...base, reason: reason(form) })));
}

function registerDeclare(app: FastifyInstance, deps: PageDeps, helpers: { chrome: (request: FastifyRequest, title: string) => Chrome & { viewer: NonNullable<Chrome['viewer']> }; actor: (request: FastifyRequest) => Actor }): void {
  app.get('/console/declare', async (request, reply) => html(reply, 200, declarePage(helpers.chrome(request, 'Declare an incident'), await deps.catalog.runbooks())));
  app.post('/console/declare', async (request, reply) => {
    const form = formBody(request);
    const labels = (form.get('labels') ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const bad = labels.findIndex((l) => !/^[A-Za-z0-9_.-]{1,64}=.{1,500}$/.test(l));
    if (bad >= 0) {
      const problem = { code: 'request.invalid', message: `labels line ${bad + 1}: expected key=value (key: letters, digits, . _ -)` };
      return html(reply, 400, declarePage(helpers.chrome(request, 'Declare an incident'), await deps.catalog.runbooks(), problem));
    }
    const description = [form.get('description')?.trim(), labels.length > 0 ? `Labels:\n${labels.join('\n')}` : ''].filter(Boolean).join('\n\n');
    const severity = form.get('severity') ?? undefined;
    const started = await deps.incidents.start({ title: form.get('title') ?? '', severity: severity as never, runbook: form.get('runbook') ?? '', description: description || undefined, by: helpers.actor(request) });
    if (!started.ok) return html(reply, started.problem.status, declarePage(helpers.chrome(request, 'Declare an incident'), await deps.catalog.runbooks(), started.problem));
    return reply.redirect(`${incidentPath(started.value.incidentId)}?done=declared`, 303);
  });
}
