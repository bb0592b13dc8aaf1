import { escapeXml } from './escape';
import type { IncidentReport } from './model';
import { summaryRows, tables } from './sections';
import { timelineSvg } from './timeline-svg';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;word-break:break-all}th{background:#f2f2f2}
.ok{color:#1a7f37}.bad{color:#c00;font-weight:bold}pre{background:#f6f8fa;padding:1rem;overflow:auto}`;

/**
 * The report as one self-contained HTML page: inline style, the timeline as inline SVG, the runbook graph as inline
 * SVG (or its Mermaid text). No scripts and no external resources, so it opens offline and years later.
 */
export function reportHtml(report: IncidentReport): string {
  const title = `Incident report: ${report.summary.title ?? report.incidentId}`;
  const summary = summaryRows(report)
    .map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td${k === 'Audit verification' ? ` class="${report.verification.ok ? 'ok' : 'bad'}"` : ''}>${escapeXml(v)}</td></tr>`)
    .join('');
  const sections = tables(report).map((t) => {
    const body =
      t.rows.length === 0
        ? `<p>${escapeXml(t.empty)}</p>`
        : `<table><thead><tr>${t.head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
            .map((row) => `<tr>${row.map((cell) => `<td>${escapeXml(String(cell ?? ''))}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`;
    return `<section id="${t.id}"><h2>${escapeXml(t.title)}</h2>${body}</section>`;
  });
  const graph = report.runbookGraph
    ? `<section id="runbook"><h2>Runbook</h2>${report.runbookGraph.svg ?? `<pre class="mermaid">${escapeXml(report.runbookGraph.mermaid)}</pre>`}</section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeXml(title)}</h1><table id="summary">${summary}</table>
<section id="timeline-picture"><h2>Steps and clocks against time</h2>${timelineSvg(report)}</section>
${sections.join('\n')}
${graph}
</body></html>
`;
}
