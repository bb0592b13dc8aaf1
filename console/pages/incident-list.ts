import type { IncidentSummary } from '../../workflows/incident/summary';
import { badge, countdown, h, incidentPath, table, timeTag } from './html';
import { type Chrome, layout } from './layout';

export interface ListFilters {
  q?: string;
  state?: 'running' | 'closed' | 'all';
  severity?: string;
  runbook?: string;
}

/** One incident in the list: its summary memo, and its state (the phase, or how Temporal closed it). */
export interface ListRow {
  id: string;
  startedAt: string;
  state: string;
  summary: IncidentSummary;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** Whether a row passes the list's filters (free text over id, title and runbook). */
export function matches(row: ListRow, f: ListFilters): boolean {
  const s = row.summary;
  if (f.state === 'running' && row.state !== 'running') return false;
  if (f.state === 'closed' && row.state === 'running') return false;
  if (f.severity && s.severity !== f.severity) return false;
  if (f.runbook && s.runbook.id !== f.runbook) return false;
  const q = f.q?.trim().toLowerCase();
  return !q || [row.id, s.title, s.runbook.id].some((v) => v.toLowerCase().includes(q));
}

/** The table body: one row per incident, clocks counting down in the page script. Sent again by the live stream. */
export function listRows(rows: readonly ListRow[], now: number): string {
  if (rows.length === 0) return '<tr><td colspan="7" class="muted">No incidents you may see match these filters.</td></tr>';
  return rows
    .map(({ id, state, summary: s }) => {
      const waits = s.waiting.map((w) => `<li><code>${h(w.stepId)}</code>: ${h(w.what)}</li>`).join('');
      const clocks = s.clocks.map((c) => `<li>${h(c.clockId)} / ${h(c.stage)}: ${countdown(c.dueAt, now)}</li>`).join('');
      return `<tr data-incident="${h(id)}"><td><a href="${h(incidentPath(id))}">${h(s.title)}</a><br><code class="muted">${h(id)}</code></td><td>${badge(s.severity, s.severity)}</td><td>${h(s.runbook.id)} v${s.runbook.version}</td><td>${badge(state, state)}</td><td>${waits ? `<ul>${waits}</ul>` : '<span class="muted">nobody</span>'}</td><td>${clocks ? `<ul>${clocks}</ul>` : '<span class="muted">none running</span>'}</td><td>${timeTag(s.openedAt)}<br><span class="muted">by ${h(s.openedBy)}</span></td></tr>`;
    })
    .join('');
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${h(value)}"${selected === value ? ' selected' : ''}>${h(label)}</option>`;
}

/** The incidents page: filters (a plain GET form), and a table whose body the server pushes again when it changes. */
export function listPage(chrome: Chrome, rows: readonly ListRow[], filters: ListFilters, runbooks: readonly string[], now: number, more: boolean, seen: string): string {
  const query = new URLSearchParams([...Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''), ['seen', seen]]).toString();
  const form = `<form class="filters" method="get" action="/console/incidents" role="search" aria-label="Filter incidents">
<div><label for="q">Search</label><input type="search" id="q" name="q" value="${h(filters.q ?? '')}"></div>
<div><label for="state">State</label><select id="state" name="state">${option('all', 'all', filters.state ?? 'all')}${option('running', 'running', filters.state)}${option('closed', 'closed', filters.state)}</select></div>
<div><label for="severity">Severity</label><select id="severity" name="severity">${option('', 'any', filters.severity ?? '')}${SEVERITIES.map((s) => option(s, s, filters.severity)).join('')}</select></div>
<div><label for="runbook">Runbook</label><select id="runbook" name="runbook">${option('', 'any', filters.runbook ?? '')}${runbooks.map((r) => option(r, r, filters.runbook)).join('')}</select></div>
<div><button type="submit">Filter</button></div></form>`;
  const head = ['Incident', 'Severity', 'Runbook', 'State', 'Waiting on', 'Deadline clocks', 'Opened'];
  const body = `<h1>Incidents</h1>${form}
<div class="table-wrap"><table id="incidents"><caption class="visually-hidden">Incidents you may see, newest first</caption><thead><tr>${head.map((c) => `<th scope="col">${c}</th>`).join('')}</tr></thead>
<tbody id="incident-rows" hx-ext="sse" sse-connect="/console/incidents/events?${h(query)}" sse-swap="rows">${listRows(rows, now)}</tbody></table></div>
${more ? '<p class="muted">Showing the newest incidents only; narrow the filters to see older ones.</p>' : ''}`;
  return layout({ ...chrome, current: 'incidents' }, body);
}

/** Reads the filters from a query string, ignoring anything unexpected. */
export function parseFilters(query: Record<string, unknown>): ListFilters {
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : undefined);
  const state = text(query.state);
  return { q: text(query.q), state: state === 'running' || state === 'closed' ? state : 'all', severity: SEVERITIES.includes(text(query.severity) ?? '') ? text(query.severity) : undefined, runbook: text(query.runbook) || undefined };
}
