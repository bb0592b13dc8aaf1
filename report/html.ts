import { escapeXml } from './escape';
import type { IncidentReport } from './model';
import { graphWithStates } from './runbook-graph';
import { summaryRows, tables } from './sections';
import { timelineSvg } from './timeline-svg';

/**
 * The report's look, shared by the self-contained file (inline) and the console (served as a stylesheet). Numbers,
 * times and ids never wrap, only hash columns break anywhere, and wide tables scroll inside their section rather than
 * squeezing a column to one character per line.
 */
export const REPORT_STYLE = `.report table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.85rem}
.report td,.report th{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
.report th{background:#f2f2f2}.report .table-wrap{overflow-x:auto;max-width:100%}
.report td.num,.report td.time,.report td.id{white-space:nowrap}.report td.text{min-width:12rem}
.report td.hash{font-family:ui-monospace,monospace;font-size:.78rem;word-break:break-all;min-width:16ch;max-width:34ch}
.report svg.timeline,.report .runbook-graph svg{max-width:100%;height:auto;display:block}
.report .runbook-graph g.node>:is(polygon,ellipse,path){stroke-width:1.5px}
.report .runbook-graph g.state-done>:is(polygon,ellipse,path){fill:#d7eed9}.report .runbook-graph g:is(.state-running,.state-waiting)>:is(polygon,ellipse,path){fill:#fff1c7}
.report .runbook-graph g:is(.state-failed,.state-rejected,.state-blocked,.state-aborted)>:is(polygon,ellipse,path){fill:#f8d7d4}.report .runbook-graph g.state-compensated>:is(polygon,ellipse,path){fill:#e4dcf5}
.report .runbook-graph g.state-skipped>:is(polygon,ellipse,path){fill:#eeeeee}
.report .ok{color:#1a7f37}.report .bad{color:#b3261e;font-weight:bold}.report pre{background:#f6f8fa;padding:1rem;overflow:auto}`;

const PAGE_STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1400px}`;

/** The report's sections as HTML (summary, time chart, tables, runbook graph): the file and the console both show this. */
export function reportBodyHtml(report: IncidentReport, graphSvg: string | undefined = outcomeGraph(report)): string {
  const summary = summaryRows(report)
    .map(([k, v]) => `<tr><th scope="row">${escapeXml(k)}</th><td${k === 'Audit verification' ? ` class="${report.verification.ok ? 'ok' : 'bad'}"` : ''}>${escapeXml(v)}</td></tr>`)
    .join('');
  const sections = tables(report).map((t) => {
    const body =
      t.rows.length === 0
        ? `<p>${escapeXml(t.empty)}</p>`
        : `<div class="table-wrap"><table><thead><tr>${t.head.map((h) => `<th scope="col">${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
            .map((row) => `<tr>${row.map((cell, i) => `<td class="${t.columns[i] ?? 'text'}">${escapeXml(String(cell ?? ''))}</td>`).join('')}</tr>`)
            .join('')}</tbody></table></div>`;
    return `<section id="${t.id}"><h2>${escapeXml(t.title)}</h2>${body}</section>`;
  });
  const graph = report.runbookGraph
    ? `<section id="runbook"><h2>Runbook</h2><div class="runbook-graph">${graphSvg ?? `<pre class="mermaid">${escapeXml(report.runbookGraph.mermaid)}</pre>`}</div></section>`
    : '';
  return `<div class="report"><table id="summary">${summary}</table>
<section id="timeline-picture"><h2>Steps and clocks against time</h2>${timelineSvg(report)}</section>
${sections.join('\n')}
${graph}</div>`;
}

function outcomeGraph(report: IncidentReport): string | undefined {
  const svg = report.runbookGraph?.svg;
  return svg && graphWithStates(svg, Object.fromEntries(report.steps.map((s) => [s.id, s.outcome ?? 'running'])));
}

/**
 * The report as one self-contained HTML page: inline style, the timeline as inline SVG, the runbook graph as inline
 * SVG (or its Mermaid text). No scripts and no external resources, so it opens offline and years later.
 */
export function reportHtml(report: IncidentReport): string {
  const title = `Incident report: ${report.summary.title ?? report.incidentId}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(title)}</title><style>${PAGE_STYLE}\n${REPORT_STYLE}</style></head>
<body><h1>${escapeXml(title)}</h1>
${reportBodyHtml(report)}
</body></html>
`;
}
