/** What a row must reach: a ratio bound, an allowance over the baseline, or an absolute floor (no baseline). */
export type Target =
  | { kind: 'ratio-at-least'; value: number }
  | { kind: 'ratio-at-most'; value: number }
  | { kind: 'over-baseline-at-most'; value: number }
  | { kind: 'at-least'; value: number };

/** One comparison per row: Firebreak against its bare baseline (NaN where nothing bare does the same work). */
export interface ChartRow {
  bench: string;
  measure: string;
  firebreak: number;
  baseline: number;
  unit: string;
  target?: Target;
}

/** The row's ratio and the ratio its target allows, on one scale (for absolute floors: value / floor against 1). */
export function ratioAgainstTarget(row: ChartRow): { ratio: number; limit: number; higherIsBetter: boolean; met: boolean } | undefined {
  const t = row.target;
  if (!t) return undefined;
  if (t.kind === 'at-least') return { ratio: row.firebreak / t.value, limit: 1, higherIsBetter: true, met: row.firebreak >= t.value };
  const ratio = row.firebreak / row.baseline;
  if (t.kind === 'ratio-at-least') return { ratio, limit: t.value, higherIsBetter: true, met: ratio >= t.value };
  const limit = t.kind === 'ratio-at-most' ? t.value : (row.baseline + t.value) / row.baseline;
  return { ratio, limit, higherIsBetter: false, met: ratio <= limit };
}

/** How the target reads in a table: `≥ 0.9×`, `≤ bare + 10 ms`, `≥ 100000 records/s`. */
export function describeTarget(row: ChartRow): string {
  const t = row.target;
  if (!t) return '';
  if (t.kind === 'ratio-at-least') return `≥ ${t.value}×`;
  if (t.kind === 'ratio-at-most') return `≤ ${t.value}×`;
  if (t.kind === 'over-baseline-at-most') return `≤ bare + ${t.value} ${row.unit}`;
  return `≥ ${t.value} ${row.unit}`;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A self-contained SVG: one bar per row with a target, its ratio to the baseline (green when the target is met, red
 * when not), and a black tick at the ratio the target allows.
 */
export function renderBarChart(rows: readonly ChartRow[], subtitle = ''): string {
  const charted = rows.flatMap((row) => {
    const r = ratioAgainstTarget(row);
    return r && Number.isFinite(r.ratio) ? [{ row, ...r }] : [];
  });
  const rowHeight = 26;
  const labelWidth = 380;
  const barWidth = 360;
  const scaleMax = Math.max(2, ...charted.map((c) => Math.max(c.ratio, c.limit) * 1.05));
  const x = (ratio: number) => labelWidth + (Math.min(ratio, scaleMax) / scaleMax) * barWidth;
  const top = 52;
  const height = top + charted.length * rowHeight + 30;
  const bars = charted.map((c, i) => {
    const y = top + i * rowHeight;
    return [
      `<text x="8" y="${y + 13}" font-size="12">${escape(`${c.row.bench}: ${c.row.measure}`)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${(x(c.ratio) - labelWidth).toFixed(1)}" height="16" fill="${c.met ? '#2b8a3e' : '#c92a2a'}"/>`,
      `<line x1="${x(c.limit).toFixed(1)}" x2="${x(c.limit).toFixed(1)}" y1="${y - 3}" y2="${y + 19}" stroke="#000" stroke-width="2"/>`,
      `<text x="${labelWidth + barWidth + 12}" y="${y + 13}" font-size="11">${c.ratio.toFixed(2)} (target ${escape(describeTarget(c.row))}${c.row.target?.kind === 'over-baseline-at-most' ? ` = ${c.limit.toFixed(2)}` : ''})</text>`,
    ].join('');
  });
  const one = x(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 260}" height="${height}" font-family="sans-serif">` +
    `<text x="8" y="18" font-size="14" font-weight="bold">Firebreak / bare baseline, same run, against each target (black tick)</text>` +
    `<text x="8" y="36" font-size="11">${escape(subtitle)}</text>` +
    `<line x1="${one}" x2="${one}" y1="${top - 6}" y2="${height - 24}" stroke="#adb5bd" stroke-dasharray="3,3"/>` +
    `<text x="${one - 4}" y="${height - 10}" font-size="10">1.0</text>${bars.join('')}</svg>\n`;
}
