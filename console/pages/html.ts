import { escapeXml } from '../../report/escape';

/** Escapes text for HTML content and attributes: every value here can come from an alert or a person. */
export const h = escapeXml;

/** A time as UTC text; the page script adds the viewer's own zone beside it (`data-local`). */
export function timeTag(iso: string | undefined): string {
  if (!iso) return '<span class="muted">-</span>';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return h(iso);
  const utc = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<time datetime="${h(new Date(ms).toISOString())}" data-local>${h(utc)}</time>`;
}

/** Whole minutes as "2d 3h", "5h 12m" or "7m": the server's text changes once a minute, so live fragments stay equal between. */
function minutes(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  const [d, hh, mm] = [Math.floor(m / 1440), Math.floor((m % 1440) / 60), m % 60];
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${mm}m` : `${mm}m`;
}

/** Time left until a due time, ticking in the page script every second (`data-due`); the server renders it to the minute. */
export function countdown(dueAt: string | undefined, now: number): string {
  if (!dueAt) return '';
  const left = Date.parse(dueAt) - now;
  return `<span class="countdown${left < 0 ? ' overdue' : ''}" data-due="${h(dueAt)}" role="timer" aria-live="off">${h(left < 0 ? `${minutes(left)} overdue` : `${minutes(left)} left`)}</span>`;
}

/** The incident id as a console path (`incident/generic/abc` → `/console/incidents/incident/generic/abc`). */
export const incidentPath = (incidentId: string): string => `/console/incidents/${incidentId.split('/').map(encodeURIComponent).join('/')}`;

export const badge = (kind: string, text: string): string => `<span class="badge badge-${h(kind.replace(/[^a-z-]/g, ''))}">${h(text)}</span>`;

export function table(caption: string, head: string[], rows: string[][], empty: string, id?: string): string {
  if (rows.length === 0) return `<p class="muted"${id ? ` id="${id}"` : ''}>${h(empty)}</p>`;
  return `<div class="table-wrap"${id ? ` id="${id}"` : ''}><table><caption class="visually-hidden">${h(caption)}</caption><thead><tr>${head.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}
