import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Problem } from '../ingress/incident-client';
import type { IncidentReport } from '../report/model';
import type { Actor } from '../workflows/incident/messages';
import type { IncidentStatus } from '../workflows/incident/state';
import type { Viewer } from './access';
import { formBody } from './form-body';
import { type IncidentData, incidentData, type DataDeps } from './incident-data';
import { fragmentsDigest, type LiveFeeds } from './live';
import { incidentPath } from './pages/html';
import { incidentFragments, incidentPage } from './pages/incident-page';
import { listPage, listRows, parseFilters } from './pages/incident-list';
import type { Chrome } from './pages/layout';
import { errorPage, reportPage } from './pages/simple-pages';
import { registerDeclare } from './declare-routes';
import { redirectWithFlash, takeFlash } from './flash';
import type { CookieSealer, Session } from './session';

export interface PageDeps extends DataDeps {
  sealer: CookieSealer;
  live: LiveFeeds;
  liveLists: LiveFeeds;
  log: Logger;
}

const ID = '/console/incidents/:a/:b/:c';
const DONE: Record<string, string> = { approve: 'Your approval is recorded.', reject: 'Your rejection is recorded.', answer: 'Your answer is recorded.', resolve: 'Your decision on the blocked step is recorded.', stop: 'The clock is stopped, with your reason.', abort: 'The incident is being aborted.' };

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

  app.get(ID, async (request, reply) => {
    const incidentId = idOf(request);
    if (!incidentId) return failure(request, reply, { status: 404, code: 'incident.not_found', message: 'no such incident' });
    const found = await data.status(viewer(request), incidentId);
    if ('problem' in found) return failure(request, reply, found.problem);
    // A form's outcome, once: the form redirected here, so a reload shows the page, never the form posted again.
    const flash = takeFlash(request, reply, deps.sealer, incidentPath(incidentId), session(request).sid);
    const c = chrome(request, found.status.title);
    const report = await data.report(incidentId, found.status, false);
    const fragments = incidentFragments(found.status, await data.graph(found.status), viewer(request), c.viewer.csrf, Date.now(), report);
    return html(reply, 200, incidentPage(c, found.status, fragments, fragmentsDigest({ ...fragments }), flash));
  });

  app.get(`${ID}/events`, async (request, reply) => {
    const incidentId = idOf(request);
    const who = viewer(request);
    const found = incidentId ? await data.status(who, incidentId) : undefined;
    if (!incidentId || !found || 'problem' in found) return reply.code(404).type('text/plain').send('incident.not_found');
    const csrf = deps.sealer.csrfToken(session(request));
    const seen = (request.query as Record<string, unknown>).seen;
    const report = reportWhenChanged(data, incidentId);
    reply.hijack();
    await deps.live.open(`incident:${incidentId}:${session(request).sid}`, reply.raw, async () => {
      const now = await data.status(who, incidentId);
      if ('problem' in now) return undefined;
      return { ...incidentFragments(now.status, await data.graph(now.status), who, csrf, Date.now(), await report(now.status)) };
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

  registerDecisionForms(app, deps, data, { idOf, actor, viewer, sid: (request) => session(request).sid });
  registerDeclare(app, { ...deps, chrome, actor, sid: (request) => session(request).sid });
}

/** How long a live view keeps the report's evidence and notices while the timeline stands still (audit records land late). */
const REPORT_REFRESH_MS = 15_000;

/**
 * The report for a live view, read again only when the incident's timeline grew or a while has passed: reading the
 * audit log and the evidence store on every poll would cost far more than the status query.
 */
function reportWhenChanged(data: IncidentData, incidentId: string): (status: IncidentStatus) => Promise<IncidentReport | undefined> {
  let kept: { timeline: number; at: number; report: IncidentReport | undefined } | undefined;
  return async (status) => {
    if (kept && kept.timeline === status.timeline.length && Date.now() - kept.at < REPORT_REFRESH_MS) return kept.report;
    const report = await data.report(incidentId, status, false);
    kept = { timeline: status.timeline.length, at: Date.now(), report };
    return report;
  };
}

interface FormHelpers {
  idOf: (request: FastifyRequest) => string | undefined;
  actor: (request: FastifyRequest) => Actor;
  viewer: (request: FastifyRequest) => Viewer;
  sid: (request: FastifyRequest) => string;
}

/** Coerces a typed answer from its form text (the validator checks it against the question's type). */
function answerValue(type: string | null, value: string): string | number | boolean {
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/**
 * Each form goes through the incident client: a refusal comes back as the validator's code. Either way the answer is a
 * redirect to the incident page, which shows the outcome once (Post/Redirect/Get).
 */
function registerDecisionForms(app: FastifyInstance, deps: PageDeps, data: IncidentData, helpers: FormHelpers): void {
  type Run = (form: URLSearchParams, base: { incidentId: string; actor: Actor }, params: Record<string, string>) => Promise<{ ok: true } | { ok: false; problem: Problem }>;
  const handle = (done: string | ((form: URLSearchParams) => string), run: Run) => async (request: FastifyRequest, reply: FastifyReply) => {
    const incidentId = helpers.idOf(request);
    // Only someone who may see the incident may act on it (the read guard audits a refusal).
    const visible = incidentId ? await data.status(helpers.viewer(request), incidentId) : undefined;
    if (!incidentId || !visible) return reply.code(404).type('text/plain').send('incident.not_found');
    if ('problem' in visible) return reply.code(visible.problem.status).type('text/plain').send(visible.problem.code);
    const form = formBody(request);
    const outcome = await run(form, { incidentId, actor: helpers.actor(request) }, request.params as Record<string, string>);
    const page = { path: incidentPath(incidentId), sid: helpers.sid(request) };
    if (outcome.ok) return redirectWithFlash(reply, deps.sealer, { ...page, kind: 'done', text: DONE[typeof done === 'string' ? done : done(form)]! });
    return redirectWithFlash(reply, deps.sealer, { ...page, kind: 'refused', code: outcome.problem.code, text: outcome.problem.message });
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
