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
