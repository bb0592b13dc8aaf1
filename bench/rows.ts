import type { AlertStartResult } from './alert-start';
import type { AuditBenchResult } from './audit';
import type { ChartRow } from './chart';
import type { CliBenchResult } from './cli';
import type { ClockBenchFigures } from './clocks';
import type { IngressBenchResult, ScenarioFigures } from './ingress';
import type { InterpreterBenchResult } from './interpreter';
import type { SlackBenchResult } from './slack';

/** One comparison: Firebreak against its same-run baseline; `NaN` baseline where nothing bare does the same work. */
export type Row = ChartRow;

export function alertStartRows(r: AlertStartResult): Row[] {
  return [
    { bench: 'alert-start', measure: 'throughput', firebreak: r.firebreak.perSecond, baseline: r.bare.perSecond, unit: 'starts/s', target: { kind: 'ratio-at-least', value: 0.9 } },
    { bench: 'alert-start', measure: 'p50 latency', firebreak: r.firebreak.p50Ms, baseline: r.bare.p50Ms, unit: 'ms' },
    { bench: 'alert-start', measure: 'p99 latency', firebreak: r.firebreak.p99Ms, baseline: r.bare.p99Ms, unit: 'ms', target: { kind: 'over-baseline-at-most', value: 10 } },
  ];
}

export function auditRows(r: AuditBenchResult): Row[] {
  return [
    { bench: 'audit', measure: 'durable appends', firebreak: r.auditAppendsPerSec, baseline: r.plainAppendsPerSec, unit: 'records/s', target: { kind: 'ratio-at-least', value: 0.8 } },
    { bench: 'audit', measure: `durable appends, ${r.writers} writers at once`, firebreak: r.concurrentAuditAppendsPerSec, baseline: r.concurrentPlainAppendsPerSec, unit: 'records/s', target: { kind: 'ratio-at-least', value: 0.8 } },
    { bench: 'audit', measure: 'verify', firebreak: r.verifyRecordsPerSec, baseline: Number.NaN, unit: 'records/s', target: { kind: 'at-least', value: 100_000 } },
    // Reported, no target: verification is CPU-bound, so on a shared machine its wall-clock rate mostly measures the load.
    { bench: 'audit', measure: 'verify, per CPU-second', firebreak: r.verifyRecordsPerCpuSecond, baseline: Number.NaN, unit: 'records/s' },
  ];
}

export function ingressRows(r: IngressBenchResult): Row[] {
  const scenario = (name: string, s: ScenarioFigures, p99Target?: Row['target']): Row[] => [
    { bench: 'ingress', measure: `${name} throughput`, firebreak: s.ingress.alertsPerSec, baseline: s.bare.alertsPerSec, unit: 'alerts/s', target: { kind: 'ratio-at-least', value: 0.9 } },
    { bench: 'ingress', measure: `${name} p50 latency`, firebreak: s.ingress.p50Ms, baseline: s.bare.p50Ms, unit: 'ms' },
    { bench: 'ingress', measure: `${name} p99 latency`, firebreak: s.ingress.p99Ms, baseline: s.bare.p99Ms, unit: 'ms', target: p99Target },
    // Against a bare HTTP service driven by the same sender: what Firebreak adds over any HTTP ingress on this machine.
    { bench: 'ingress', measure: `${name} throughput vs bare HTTP service`, firebreak: s.ingress.alertsPerSec, baseline: s.bareHttp.alertsPerSec, unit: 'alerts/s', target: { kind: 'ratio-at-least', value: 0.9 } },
    { bench: 'ingress', measure: `${name} p99 latency vs bare HTTP service`, firebreak: s.ingress.p99Ms, baseline: s.bareHttp.p99Ms, unit: 'ms', target: p99Target },
  ];
  return [...scenario('distinct', r.distinct, { kind: 'over-baseline-at-most', value: 10 }), ...scenario('90% duplicate', r.duplicates90)];
}

export function clockRows(r: ClockBenchFigures): Row[] {
  const bench = `clocks ×${r.incidents}`;
  const side = (measure: string, unit: string, value: (s: ClockBenchFigures['bare']) => number, target?: Row['target']): Row => ({ bench, measure, firebreak: value(r.firebreak), baseline: value(r.bare), unit, target });
  return [
    side(`start ${r.incidents * r.clocksPerIncident} clocks`, 's', (s) => s.startSeconds, { kind: 'ratio-at-most', value: 1.2 }),
    side('one incident: start to timers armed (mean)', 'ms', (s) => s.armMeanMs),
    side('history events per incident', 'events', (s) => s.eventsPerIncident, { kind: 'ratio-at-most', value: 2 }),
    side('worker RSS peak', 'MB', (s) => s.rssPeakMb, { kind: 'ratio-at-most', value: 1.3 }),
    side('worker RSS after', 'MB', (s) => s.rssAfterMb),
    side('alarm lateness p50', 'ms', (s) => s.latenessP50Ms),
    side('alarm lateness p99', 'ms', (s) => s.latenessP99Ms, { kind: 'over-baseline-at-most', value: 250 }),
  ];
}

export function slackRows(r: SlackBenchResult): Row[] {
  return [
    { bench: 'slack', measure: 'approval round trip p50', firebreak: r.slackApprovalRoundTrip.p50Ms, baseline: r.bareUpdateRoundTrip.p50Ms, unit: 'ms' },
    { bench: 'slack', measure: 'approval round trip p99', firebreak: r.slackApprovalRoundTrip.p99Ms, baseline: r.bareUpdateRoundTrip.p99Ms, unit: 'ms', target: { kind: 'over-baseline-at-most', value: 20 } },
    // No bare equivalent: the next step's rendering, after the workflow moved on (off the approver's path).
    { bench: 'slack', measure: 'status message shows the next step, p99', firebreak: r.statusMessageEdited.p99Ms, baseline: Number.NaN, unit: 'ms' },
    // No bare equivalent: this is how fast Slack hears back while Temporal is slow (Slack's limit is 3 s).
    { bench: 'slack', measure: `ack p99, Temporal +${r.ackWithTemporalSlowed.slowTemporalMs} ms`, firebreak: r.ackWithTemporalSlowed.p99Ms, baseline: Number.NaN, unit: 'ms' },
  ];
}

export function interpreterRows(r: InterpreterBenchResult): Row[] {
  return [
    { bench: 'interpreter', measure: `${r.steps} noop steps, median of ${r.runs}`, firebreak: r.interpreter.medianWallMs, baseline: r.baseline.medianWallMs, unit: 'ms', target: { kind: 'ratio-at-most', value: 1.05 } },
    { bench: 'interpreter', measure: 'history events', firebreak: r.interpreter.events, baseline: r.baseline.events, unit: 'events', target: { kind: 'ratio-at-most', value: 1.05 } },
  ];
}

export function cliRows(r: CliBenchResult): Row[] {
  return [
    { bench: 'cli', measure: `firebreak ${r.offlineCommand} p50 wall (no server)`, firebreak: r.offlineP50Ms, baseline: r.bareNodeP50Ms, unit: 'ms', target: { kind: 'ratio-at-most', value: 2.5 } },
    { bench: 'cli', measure: `firebreak ${r.serverCommand} p50 wall (local server)`, firebreak: r.serverP50Ms, baseline: r.bareNodeP50Ms, unit: 'ms', target: { kind: 'over-baseline-at-most', value: 150 } },
    // Reported, no bare equivalent: how long a user waits for `npm start`, and for the one-off compile `npm install` does.
    { bench: 'cli', measure: 'npm start to healthy, first run', firebreak: r.startFirstRunMs, baseline: Number.NaN, unit: 'ms' },
    { bench: 'cli', measure: 'npm start to healthy, after first run', firebreak: r.startAfterFirstRunMs, baseline: Number.NaN, unit: 'ms' },
    ...(r.compileMs === null ? [] : [{ bench: 'cli', measure: 'first-run compile to dist/ (npm install)', firebreak: r.compileMs, baseline: Number.NaN, unit: 'ms' }]),
  ];
}
