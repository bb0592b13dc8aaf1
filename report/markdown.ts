import { escapeCell } from './escape';
import type { IncidentReport } from './model';
import { summaryRows, tables } from './sections';

/** The report as Markdown: the summary, then one table per section, then the runbook graph as Mermaid. */
export function reportMarkdown(report: IncidentReport): string {
  const out = [`# Incident report: ${report.summary.title ?? report.incidentId}`, '', '| | |', '|---|---|'];
  for (const [key, value] of summaryRows(report)) out.push(`| ${key} | ${escapeCell(value)} |`);
  for (const table of tables(report)) {
    out.push('', `## ${table.title}`, '');
    if (table.rows.length === 0) {
      out.push(table.empty);
      continue;
    }
    out.push(`| ${table.head.join(' | ')} |`, `|${table.head.map(() => '---').join('|')}|`);
    for (const row of table.rows) out.push(`| ${row.map(escapeCell).join(' | ')} |`);
  }
  if (report.runbookGraph) out.push('', '## Runbook', '', '```mermaid', report.runbookGraph.mermaid.trimEnd(), '```');
  return `${out.join('\n')}\n`;
}
