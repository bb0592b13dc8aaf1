/** One comparison per row: Firebreak against its bare baseline, drawn as two bars scaled to the larger of the pair. */
export interface ChartRow {
  bench: string;
  measure: string;
  firebreak: number;
  baseline: number;
  unit: string;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A self-contained SVG bar chart of benchmark comparisons. */
export function renderBarChart(rows: readonly ChartRow[]): string {
  const rowHeight = 46;
  const labelWidth = 260;
  const barWidth = 420;
  const height = 40 + rows.length * rowHeight;
  const bars = rows.map((row, i) => {
    const y = 30 + i * rowHeight;
    const max = Math.max(row.firebreak, row.baseline) || 1;
    const fw = (row.firebreak / max) * barWidth;
    const bw = (row.baseline / max) * barWidth;
    return [
      `<text x="8" y="${y + 16}" font-size="12">${escape(`${row.bench}: ${row.measure}`)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${fw.toFixed(1)}" height="16" fill="#d9480f"/>`,
      `<text x="${labelWidth + fw + 4}" y="${y + 12}" font-size="11">${row.firebreak.toFixed(1)} ${escape(row.unit)} firebreak</text>`,
      `<rect x="${labelWidth}" y="${y + 19}" width="${bw.toFixed(1)}" height="16" fill="#868e96"/>`,
      `<text x="${labelWidth + bw + 4}" y="${y + 31}" font-size="11">${row.baseline.toFixed(1)} ${escape(row.unit)} bare Temporal</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 220}" height="${height}" font-family="sans-serif">` +
    `<text x="8" y="18" font-size="14" font-weight="bold">Firebreak vs bare baseline (same run)</text>${bars.join('')}</svg>\n`;
}
