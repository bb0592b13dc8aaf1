import { runbookToDot, runbookToMermaid } from '../runbooks/graph';
import type { Runbook } from '../runbooks/schema/runbook';

/**
 * The runbook as an SVG rendered by Graphviz (embedded WebAssembly, no download) when the package is installed, and
 * always as Mermaid text, which the HTML page falls back to.
 */
export async function renderRunbookGraph(runbook: Runbook): Promise<{ svg?: string; mermaid: string }> {
  const mermaid = runbookToMermaid(runbook);
  try {
    const { Graphviz } = (await import('@hpcc-js/wasm-graphviz')) as typeof import('@hpcc-js/wasm-graphviz');
    const graphviz = await Graphviz.load();
    // Drop the XML prolog and doctype so the SVG can be inlined into HTML.
    const svg = graphviz.dot(runbookToDot(runbook)).replace(/^[\s\S]*?(?=<svg)/, '');
    return { svg, mermaid };
  } catch {
    return { mermaid };
  }
}

/**
 * The same SVG with each step's node marked by its state (`class="node state-done"`, `data-step`), so a stylesheet
 * colours it: the console shows live states, the report the outcomes the audit log recorded.
 */
export function graphWithStates(svg: string, states: Readonly<Record<string, string>>): string {
  return svg.replace(/<g id="(node\d+)" class="node">(\s*<title>)([^<]*)<\/title>/g, (_all, id: string, open: string, name: string) => {
    // Graphviz writes '-' in names as '&#45;'; step ids are otherwise plain [a-z0-9-].
    const step = name.replace(/&#45;/g, '-');
    const state = states[step];
    const cls = state ? `node state-${state.replace(/[^a-z-]/g, '')}` : 'node';
    return `<g id="${id}" class="${cls}" data-step="${step}">${open}${name}</title>${state ? `<desc>${state}</desc>` : ''}`;
  });
}
