import assert from 'node:assert/strict';
import type { IncidentReport } from '../../report/model';
import { timelineSvg } from '../../report/timeline-svg';
import { graphWithStates } from '../../report/runbook-graph';

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

/** A 20-minute incident with a 72-hour clock: what happened must fill the chart, not a sliver left of the deadline. */
function report(base: number, dueHours: number): IncidentReport {
  return {
    incidentId: 'incident/declared/X',
    generatedAt: at(base, 20),
    summary: { outcome: 'completed', source: 'audit', openedAt: at(base, 0), closedAt: at(base, 20) },
    timeline: [],
    steps: [
      { id: 'triage', startedAt: at(base, 0), endedAt: at(base, 5), outcome: 'done' },
      { id: 'notice-approved', startedAt: at(base, 5), endedAt: at(base, 18), outcome: 'done' },
    ],
    decisions: [],
    answers: [],
    evidence: [],
    clocks: [{ clock: 'gdpr-art33-sa', stage: 'notification', state: 'on-time', startedAt: at(base, 2), metAt: at(base, 19), dueAt: at(base, dueHours * 60) }],
    notices: [],
    verification: { ok: true, records: 0, checkpoints: 0, problems: [], publicKeyId: 'k' },
  };
}

const rects = (svg: string) => [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), width: Number(m[2]) }));

describe('the report time chart', () => {
  const base = Date.now() - 3_600_000;

  it('spans what happened, so the steps fill the plot instead of a sliver before a far deadline', () => {
    const svg = timelineSvg(report(base, 72));
    const bars = rects(svg);
    const right = Math.max(...bars.map((b) => b.x + b.width));
    const left = Math.min(...bars.map((b) => b.x));
    assert.ok(right - left > 700, `the bars span ${right - left} of about 790 px`);
  });

  it('draws a deadline beyond what happened as a marker at the edge saying how much later it falls due', () => {
    const svg = timelineSvg(report(base, 72));
    assert.match(svg, /<g class="due-beyond"><title>gdpr-art33-sa\/notification due [^<]+<\/title>/);
    assert.match(svg, /due \+2d 23h/);
    assert.doesNotMatch(svg, /<line class="due"/);
  });

  it('draws a deadline inside the span as a line on its bar', () => {
    const svg = timelineSvg(report(base, 0.25));
    assert.match(svg, /<line class="due" x1="[\d.]+"/);
    assert.doesNotMatch(svg, /due-beyond/);
  });

  it('labels the axis with times, and the date where it changes', () => {
    const svg = timelineSvg(report(base, 72));
    const day = new Date(base).toISOString().slice(0, 10);
    assert.ok(svg.includes(`>${day}</text>`));
    assert.equal((svg.match(/<g class="axis">.*<\/g>/)![0].match(/>\d\d:\d\d<\/text>/g) ?? []).length, 7);
  });
});

describe('the runbook graph with step states', () => {
  it('marks each step node by its state, reading the ids Graphviz escapes', () => {
    const svg = '<g id="node2" class="node">\n<title>aware&#45;at</title>\n<polygon/></g><g id="node3" class="node">\n<title>notify</title></g>';
    const marked = graphWithStates(svg, { 'aware-at': 'done' });
    assert.match(marked, /<g id="node2" class="node state-done" data-step="aware-at">/);
    assert.match(marked, /<g id="node3" class="node" data-step="notify">/);
  });
});
