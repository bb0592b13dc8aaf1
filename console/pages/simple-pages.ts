import type { PinnedRunbook } from '../../runbooks/schema/runbook';
import type { Step } from '../../runbooks/schema/step';
import type { IncidentReport } from '../../report/model';
import { reportBodyHtml } from '../../report/html';
import { h, incidentPath } from './html';
import { type Chrome, csrfField, layout } from './layout';

/** Sign-in: the identity provider when configured; the API token form only on a loopback-only install. */
export function signInPage(options: { oidc: boolean; token: boolean; returnTo: string; problem?: { code: string; message: string } }): string {
  const problem = options.problem ? `<div class="refusal" role="alert"><p><code>${h(options.problem.code)}</code> ${h(options.problem.message)}</p></div>` : '';
  const oidc = options.oidc ? `<div class="option"><p>Sign in with your organisation's account (its MFA and single sign-on apply).</p><p><a class="button primary" href="/console/auth/start?return=${encodeURIComponent(options.returnTo)}">Sign in with your identity provider</a></p></div>` : '';
  const token = options.token
    ? `<form class="option" method="post" action="/console/auth/token"><p>This Firebreak listens on this machine only: its admin token (in <code>.firebreak/secrets/admin-token</code>) or a person's API token signs in.</p>
<input type="hidden" name="return" value="${h(options.returnTo)}"><label for="token">API token</label><input type="password" id="token" name="token" autocomplete="off" required size="48"><p><button class="primary" type="submit">Sign in with the token</button></p></form>`
    : '';
  const none = !options.oidc && !options.token ? '<p>No sign-in is configured: set <code>console.oidc</code> (issuer, client id, client secret) in the config file.</p>' : '';
  return layout({ title: 'Sign in' }, `<div class="signin"><h1>Sign in to Firebreak</h1>${problem}${oidc}${token}${none}</div>`);
}

function stepsOf(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => [s, ...(s.kind === 'sequence' ? stepsOf(s.steps) : s.kind === 'when' ? [...stepsOf(s.steps), ...stepsOf(s.otherwise)] : s.kind === 'parallel' ? s.branches.flatMap(stepsOf) : [])]);
}

/** What a runbook needs and will ask of people: the labels it reads, its roles, questions, approvals and clocks. */
function needs(pinned: PinnedRunbook): string {
  const r = pinned.runbook;
  const all = stepsOf(r.steps);
  const roles = Object.entries(r.roles).map(([role, org]) => `${role} (${org.join(', ')})`);
  const asks = all.flatMap((s) => (s.kind === 'input' ? [`${s.ask} (${s.role})`] : []));
  const approvals = all.flatMap((s) => (s.kind === 'approval' ? [`${s.id} by ${s.role}${s.approvers > 1 ? ` x${s.approvers}` : ''}`] : []));
  const clocks = all.flatMap((s) => (s.kind === 'clock' ? s.start : []));
  // A declaration without one of them is still run: a person is asked for it.
  const labels = (r.requires?.labels ?? []).map((l) => l.label);
  const item = (label: string, list: string[]) => (list.length > 0 ? `<li><strong>${label}:</strong> ${h(list.join('; '))}</li>` : '');
  return `<ul class="runbook-needs">${item('Labels it reads (asked later if not given here)', labels)}${item('Roles', roles)}${item('Asks', asks)}${item('Approvals', approvals)}${item('Deadline clocks', clocks)}</ul>`;
}

/** Declare an incident: title, severity, description, labels, and a runbook picker that says what each runbook needs. */
export function declarePage(chrome: Chrome & { viewer: NonNullable<Chrome['viewer']> }, runbooks: readonly PinnedRunbook[], problem?: { code: string; message: string }, typed: Record<string, string> = {}): string {
  const error = problem ? `<div class="refusal" role="alert"><p><strong>Refused:</strong> <code id="refusal-code">${h(problem.code)}</code></p><p>${h(problem.message)}</p></div>` : '';
  const chosen = runbooks.some((p) => p.runbook.id === typed.runbook) ? typed.runbook : runbooks[0]?.runbook.id;
  const severity = typed.severity ?? 'high';
  const picker = runbooks
    .map((p) => `<div class="decision"><label><input type="radio" name="runbook" value="${h(p.runbook.id)}" required${p.runbook.id === chosen ? ' checked' : ''}> ${h(p.runbook.title)} <code>${h(p.runbook.id)}</code> v${p.runbook.version}</label>${p.runbook.description ? `<p class="muted">${h(p.runbook.description)}</p>` : ''}${needs(p)}</div>`)
    .join('');
  const body = `<h1>Declare an incident</h1>${error}<form method="post" action="/console/declare">${csrfField(chrome.viewer.csrf)}
<label for="title">Title</label><input type="text" id="title" name="title" required maxlength="500" size="60" value="${h(typed.title ?? '')}">
<label for="severity">Severity</label><select id="severity" name="severity">${['critical', 'high', 'medium', 'low', 'info'].map((s) => `<option${s === severity ? ' selected' : ''}>${s}</option>`).join('')}</select>
<label for="labels">Labels</label><textarea id="labels" name="labels" aria-describedby="labels-hint">${h(typed.labels ?? '')}</textarea><p id="labels-hint" class="muted">One <code>name=value</code> per line (e.g. <code>service=payments</code>; names are letters, digits and _): the runbook reads them as <code>alert.labels.&lt;name&gt;</code>, as it reads an alert's.</p>
<label for="description">Description</label><textarea id="description" name="description" maxlength="20000">${h(typed.description ?? '')}</textarea>
<fieldset><legend>Runbook</legend><div class="decisions">${picker}</div></fieldset>
<p><button class="primary" type="submit">Declare</button></p></form>`;
  return layout({ ...chrome, current: 'declare' }, body);
}

/** The report inside the console: the same rendering as the exported HTML file. */
export function reportPage(chrome: Chrome, report: IncidentReport): string {
  return layout({ ...chrome, current: 'incidents' }, `<h1>Report: ${h(report.summary.title ?? report.incidentId)}</h1><p><a href="${h(incidentPath(report.incidentId))}">Back to the incident</a></p>${reportBodyHtml(report)}`);
}

export function errorPage(chrome: Chrome, status: number, code: string, message: string): string {
  return layout({ ...chrome, title: `Error ${status}` }, `<h1>${status === 404 ? 'Not found' : status === 403 ? 'Refused' : 'Something went wrong'}</h1><div class="refusal" role="alert"><p><code id="refusal-code">${h(code)}</code></p><p>${h(message)}</p></div><p><a href="/console/incidents">Incidents</a></p>`);
}
