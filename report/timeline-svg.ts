import type { IncidentReport } from './model';
import { escapeXml } from './escape';

const ROW = 22;
const LEFT = 170;
const WIDTH = 900;

interface Bar {
  label: string;
  start: number;
  end?: number;
  kind: 'step' | 'clock';
  state: string;
  due?: number;
}

const time = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

function bars(report: IncidentReport): Bar[] {
  const out: Bar[] = [];
  for (const step of report.steps) {
    const start = time(step.startedAt);
    if (start !== undefined) out.push({ label: step.id, start, end: time(step.endedAt), kind: 'step', state: step.outcome ?? 'running' });
  }
  for (const clock of report.clocks) {
    const start = time(clock.startedAt) ?? time(clock.metAt);
    if (start === undefined) continue;
    out.push({ label: clock.stage ? `${clock.clock}/${clock.stage}` : clock.clock, start, end: time(clock.metAt), kind: 'clock', state: clock.state, due: time(clock.dueAt) });
  }
  return out;
}

/**
 * Steps and deadline clocks against time: one bar per step (`data-kind="step"`), one per clock stage with a tick at
 * its due time. Plain SVG with no script, so it renders from a file in any browser.
 */
export function timelineSvg(report: IncidentReport): string {
  const all = bars(report);
  const instants = all.flatMap((b) => [b.start, b.end, b.due].filter((t): t is number => t !== undefined));
  const closed = time(report.summary.closedAt);
  const earliest = Math.min(...instants, time(report.summary.openedAt) ?? Infinity);
  const t0 = Number.isFinite(earliest) ? earliest : Date.parse(report.generatedAt);
  const t1 = Math.max(...instants, closed ?? -Infinity, t0 + 1000);
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - LEFT - 20);
  const height = (all.length + 2) * ROW + 10;
  const rows = all.map((bar, i) => {
    const y = (i + 1) * ROW;
    const end = bar.end ?? closed ?? t1;
    const width = Math.max(3, x(end) - x(bar.start));
    const due = bar.due === undefined ? '' : `<line class="due" x1="${x(bar.due).toFixed(1)}" x2="${x(bar.due).toFixed(1)}" y1="${y - 2}" y2="${y + 16}" stroke="#c00" stroke-width="2"/>`;
    const fill = bar.kind === 'clock' ? '#e9a23b' : bar.state === 'done' ? '#3b7ddd' : bar.state === 'failed' || bar.state === 'rejected' ? '#c0392b' : '#8896a5';
    return (
      `<g class="mark" data-kind="${bar.kind}" data-label="${escapeXml(bar.label)}">` +
      `<text x="4" y="${y + 12}" font-size="11">${escapeXml(bar.label)}</text>` +
      `<rect x="${x(bar.start).toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="14" fill="${fill}"><title>${escapeXml(`${bar.label}: ${bar.state}`)}</title></rect>${due}</g>`
    );
  });
  const axisY = (all.length + 1) * ROW + 6;
  const axis = `<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${axisY}" y2="${axisY}" stroke="#333"/>` +
    `<text x="${LEFT}" y="${axisY + 14}" font-size="10">${escapeXml(new Date(t0).toISOString())}</text>` +
    `<text x="${WIDTH - 20}" y="${axisY + 14}" font-size="10" text-anchor="end">${escapeXml(new Date(t1).toISOString())}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="timeline" role="img" aria-label="Incident timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">${rows.join('')}${axis}</svg>`;
}
