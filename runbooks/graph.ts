import type { Runbook } from './schema/runbook';
import type { Step } from './schema/step';

/*
 * A runbook as a picture: Graphviz DOT and Mermaid flowchart text. Pure string building; rendering
 * DOT to SVG is the CLI's job. Every step becomes a node named after its id; a `when` branches
 * with yes/no edges; a `parallel` fans out and joins again.
 */

type Shape = 'action' | 'approval' | 'input' | 'wait' | 'clock' | 'runbook' | 'decision' | 'fork' | 'join' | 'group' | 'terminal';

interface GraphNode {
  id: string;
  label: string;
  shape: Shape;
}

interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Exit = { node: string; label?: string };

const START = '__start';
const END = '__end';

/** The nodes and edges of a runbook, shared by both text formats. */
function buildGraph(runbook: Runbook): Graph {
  const graph: Graph = { nodes: [{ id: START, label: runbook.title, shape: 'terminal' }], edges: [] };
  const connect = (entries: Exit[], to: string) => entries.forEach(({ node, label }) => graph.edges.push({ from: node, to, label }));

  const chain = (steps: readonly Step[], entries: Exit[]): Exit[] => steps.reduce((exits, step) => visit(step, exits), entries);

  const visit = (step: Step, entries: Exit[]): Exit[] => {
    graph.nodes.push({ id: step.id, label: describe(step), shape: shapeOf(step) });
    connect(entries, step.id);
    switch (step.kind) {
      case 'sequence':
        return chain(step.steps, [{ node: step.id }]);
      case 'when': {
        const yes = chain(step.steps, [{ node: step.id, label: 'yes' }]);
        const no = chain(step.otherwise, [{ node: step.id, label: 'no' }]);
        return [...yes, ...no];
      }
      case 'parallel': {
        const join = `${step.id}__join`;
        const branchExits = step.branches.map((branch) => chain(branch, [{ node: step.id }]));
        graph.nodes.push({ id: join, label: step.mode === 'all' ? 'all done' : 'first done', shape: 'join' });
        branchExits.forEach((exits) => connect(exits, join));
        return [{ node: join }];
      }
      default:
        return [{ node: step.id }];
    }
  };

  const exits = chain(runbook.steps, [{ node: START }]);
  graph.nodes.push({ id: END, label: 'done', shape: 'terminal' });
  connect(exits, END);
  return graph;
}

function shapeOf(step: Step): Shape {
  switch (step.kind) {
    case 'when':
      return 'decision';
    case 'parallel':
      return 'fork';
    case 'sequence':
      return 'group';
    default:
      return step.kind;
  }
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'action': {
      const undo = step.compensate ? `\nundo: ${step.compensate.action}` : '';
      const stops = step.stops.length > 0 ? `\nstops ${step.stops.join(', ')}` : '';
      return `${step.title ?? step.action}\n(${step.id})${undo}${stops}`;
    }
    case 'approval':
      return `${step.title ?? 'Approval'}: ${step.role}${step.approvers > 1 ? ` x${step.approvers}` : ''}\n(${step.id})`;
    case 'input':
      return `${step.ask}\n${step.role} answers (${step.id})`;
    case 'wait':
      return `wait ${step.duration}\n(${step.id})`;
    case 'clock': {
      const parts = [step.start.length > 0 ? `start ${step.start.join(', ')}` : '', step.stop.length > 0 ? `stop ${step.stop.join(', ')}` : ''];
      return `${parts.filter(Boolean).join('; ')}\n(${step.id})`;
    }
    case 'runbook':
      return `run runbook ${step.runbook}\n(${step.id})`;
    case 'when':
      return `${step.condition}\n(${step.id})`;
    case 'parallel':
      return `in parallel (${step.mode})\n(${step.id})`;
    case 'sequence':
      return step.id;
  }
}

const DOT_SHAPES: Record<Shape, string> = {
  action: 'shape=box',
  approval: 'shape=box, style="rounded,bold"',
  input: 'shape=parallelogram',
  wait: 'shape=ellipse',
  clock: 'shape=note',
  runbook: 'shape=box, peripheries=2',
  decision: 'shape=diamond',
  fork: 'shape=trapezium',
  join: 'shape=invtrapezium',
  group: 'shape=folder',
  terminal: 'shape=oval, style=filled, fillcolor="#eeeeee"',
};

const dotString = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Graphviz DOT text for the runbook: one node per step (named by step id), top to bottom. */
export function runbookToDot(runbook: Runbook): string {
  const { nodes, edges } = buildGraph(runbook);
  const lines = [`digraph ${dotString(runbook.id)} {`, '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const node of nodes) lines.push(`  ${dotString(node.id)} [label=${dotString(node.label)}, ${DOT_SHAPES[node.shape]}];`);
  for (const edge of edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${edge.label ? ` [label=${dotString(edge.label)}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const MERMAID_SHAPES: Record<Shape, [string, string]> = {
  action: ['[', ']'],
  approval: ['{{', '}}'],
  input: ['[/', '/]'],
  wait: ['([', '])'],
  clock: ['>', ']'],
  runbook: ['[[', ']]'],
  decision: ['{', '}'],
  fork: ['[/', '\\]'],
  join: ['[\\', '/]'],
  group: ['[', ']'],
  terminal: ['((', '))'],
};

// Mermaid ids cannot contain '-', and step ids never contain '_', so the mapping cannot collide.
const mermaidId = (id: string) => `n_${id.replace(/-/g, '_')}`;
const mermaidText = (text: string) => `"${text.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')}"`;

/** Mermaid flowchart text for the runbook; node ids are the step ids with `-` as `_`, prefixed `n_`. */
export function runbookToMermaid(runbook: Runbook): string {
  const { nodes, edges } = buildGraph(runbook);
  const lines = ['flowchart TD'];
  for (const node of nodes) {
    const [open, close] = MERMAID_SHAPES[node.shape];
    lines.push(`  ${mermaidId(node.id)}${open}${mermaidText(node.label)}${close}`);
  }
  for (const edge of edges) {
    lines.push(`  ${mermaidId(edge.from)} -->${edge.label ? `|${edge.label}|` : ''} ${mermaidId(edge.to)}`);
  }
  return `${lines.join('\n')}\n`;
}
