import type { IncidentReport } from './model';
import { escapeXml } from './escape';

const ROW = 22;
const LEFT = 190;
const RIGHT = 120;
const WIDTH = 1100;
const TICKS = 6;

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

/** "3d 4h", "5h 12m", "40s": how far a deadline lies beyond what happened. */
export function spanText(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

/** Tick labels short enough to sit side by side: hours and minutes (UTC), and the date on a second line where it changes. */
function tickLabel(t: number, previous: number | undefined, spanMs: number): { time: string; day?: string } {
  const iso = new Date(t).toISOString();
  const day = iso.slice(0, 10);
  const time = spanMs < 600_000 ? iso.slice(11, 19) : iso.slice(11, 16);
  return { time, day: previous === undefined || new Date(previous).toISOString().slice(0, 10) !== day ? day : undefined };
}

/**
 * Steps and deadline clocks against time: one bar per step (`data-kind="step"`), one per clock stage. The axis spans
 * what happened (first start to the last end, or now while running), not the deadlines: a due time inside it is a
 * red line on its bar (`line.due`), one beyond it a red arrow at the right edge saying how much later it falls due
 * (`g.due-beyond`). Plain SVG with no script, scaled to its container, so it renders from a file in any browser.
 */
export function timelineSvg(report: IncidentReport, now: number = Date.parse(report.generatedAt)): string {
  const all = bars(report);
  const closed = time(report.summary.closedAt);
  const happened = all.flatMap((b) => [b.start, b.end].filter((t): t is number => t !== undefined));
  const earliest = Math.min(...happened, time(report.summary.openedAt) ?? Infinity);
  const t0 = Number.isFinite(earliest) ? earliest : now;
  const running = all.some((b) => b.end === undefined) && closed === undefined;
  const latest = Math.max(...happened, closed ?? -Infinity, running ? now : -Infinity, t0 + 60_000);
  // A little room after the last event so its end is not on the frame.
  const t1 = latest + (latest - t0) * 0.03;
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * plot;
  const height = (all.length + 2) * ROW + 28;
  const rows = all.map((bar, i) => {
    const y = (i + 1) * ROW;
    const end = bar.end ?? closed ?? latest;
    const width = Math.max(3, x(end) - x(bar.start));
    const fill = bar.kind === 'clock' ? '#b86e00' : bar.state === 'done' ? '#2f6fca' : bar.state === 'failed' || bar.state === 'rejected' ? '#b3261e' : '#5f6b7a';
    return (
      `<g class="mark" data-kind="${bar.kind}" data-label="${escapeXml(bar.label)}">` +
      `<text x="4" y="${y + 12}" font-size="11">${escapeXml(bar.label.length > 30 ? `${bar.label.slice(0, 29)}…` : bar.label)}<title>${escapeXml(bar.label)}</title></text>` +
      `<rect x="${x(bar.start).toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="14" fill="${fill}"><title>${escapeXml(`${bar.label}: ${bar.state}`)}</title></rect>${dueMark(bar, y, t1, x)}</g>`
    );
  });
  const axisY = (all.length + 1) * ROW + 6;
  const ticks: string[] = [];
  let previous: number | undefined;
  for (let i = 0; i <= TICKS; i++) {
    const t = t0 + ((latest - t0) * i) / TICKS;
    const tx = x(t).toFixed(1);
    const anchor = i === 0 ? 'start' : i === TICKS ? 'end' : 'middle';
    const label = tickLabel(t, previous, latest - t0);
    ticks.push(
      `<line x1="${tx}" x2="${tx}" y1="${axisY}" y2="${axisY + 4}" stroke="#333"/><text x="${tx}" y="${axisY + 16}" font-size="10" text-anchor="${anchor}">${escapeXml(label.time)}</text>` +
        (label.day ? `<text x="${tx}" y="${axisY + 28}" font-size="10" text-anchor="${anchor}">${escapeXml(label.day)}</text>` : ''),
    );
    previous = t;
  }
  const axis = `<g class="axis"><line x1="${LEFT}" x2="${(LEFT + plot).toFixed(1)}" y1="${axisY}" y2="${axisY}" stroke="#333"/>${ticks.join('')}<text x="${WIDTH - 4}" y="${axisY + 16}" font-size="10" text-anchor="end">UTC</text></g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" id="timeline" class="timeline" role="img" aria-label="Steps and clocks against time, ${escapeXml(new Date(t0).toISOString())} to ${escapeXml(new Date(latest).toISOString())}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">${rows.join('')}${axis}</svg>`;
}

function dueMark(bar: Bar, y: number, t1: number, x: (t: number) => number): string {
  if (bar.due === undefined) return '';
  const title = `<title>${escapeXml(`${bar.label} due ${new Date(bar.due).toISOString()}`)}</title>`;
  if (bar.due <= t1) {
    const dx = x(bar.due).toFixed(1);
    return `<line class="due" x1="${dx}" x2="${dx}" y1="${y - 3}" y2="${y + 17}" stroke="#b3261e" stroke-width="2">${title}</line>`;
  }
  const edge = x(t1);
  return (
    `<g class="due-beyond">${title}<path d="M${(edge - 2).toFixed(1)} ${y} l8 7 l-8 7 z" fill="#b3261e"/>` +
    `<text x="${(edge + 10).toFixed(1)}" y="${y + 11}" font-size="10" fill="#b3261e">due +${escapeXml(spanText(bar.due - t1))}</text></g>`
  );
}
