import type { IncidentReport } from './model';

/** A report section as rows of cells: Markdown and HTML render the same tables, so they cannot disagree. */
export type Column = 'num' | 'time' | 'id' | 'hash' | 'text';

export interface Table {
  title: string;
  id: string;
  head: string[];
  /** How each column reads, so HTML can keep numbers and times on one line and let only hashes break anywhere. */
  columns: Column[];
  rows: (string | number | undefined)[][];
  empty: string;
}

const duration = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : `${Math.round(ms / 60_000)} min`);

export function summaryRows(report: IncidentReport): [string, string][] {
  const s = report.summary;
  const v = report.verification;
  return [
    ['Incident', report.incidentId],
    ['Title', s.title ?? '(not in the audit log; Temporal no longer has the incident)'],
    ['Severity', s.severity ?? '-'],
    ['Runbook', s.runbook ?? '-'],
    ['Opened', `${s.openedAt ?? '-'} by ${s.openedBy ?? '-'}`],
    ['Closed', s.closedAt ?? '-'],
    ['Outcome', s.outcome],
    ['Audit records', String(report.timeline.length)],
    ['Evidence items', String(report.evidence.length)],
    ['Audit verification', v.ok ? `verified (${v.records} records, ${v.checkpoints} checkpoints, key ${v.publicKeyId})` : `FAILED: ${v.problems.map((p) => `${p.code}${p.seq ? ` at seq ${p.seq}` : ''}`).join(', ')}`],
    ['Covering checkpoint', v.coveringCheckpoint ? `size ${v.coveringCheckpoint.size}, head ${v.coveringCheckpoint.head}, ${v.coveringCheckpoint.at}` : 'none yet'],
    ['Generated', `${report.generatedAt} from ${s.source === 'temporal' ? 'Temporal status and the audit log' : 'the audit log and evidence store'}`],
  ];
}

export function tables(report: IncidentReport): Table[] {
  return [
    {
      title: 'Timeline',
      id: 'timeline-records',
      head: ['Seq', 'Time', 'Action', 'Actor', 'Step / subject', 'Detail', 'Record hash'],
      columns: ['num', 'time', 'id', 'id', 'id', 'text', 'hash'],
      rows: report.timeline.map((r) => [r.seq, typeof r.data.at === 'string' ? r.data.at : r.at, r.action, `${r.actor.kind}:${r.actor.id}`, r.subject, typeof r.data.detail === 'string' ? r.data.detail : typeof r.data.reason === 'string' ? r.data.reason : '', r.hash]),
      empty: 'No audit records.',
    },
    {
      title: 'Steps',
      id: 'steps',
      head: ['Step', 'Kind', 'Started', 'Ended', 'Outcome'],
      columns: ['id', 'id', 'time', 'time', 'id'],
      rows: report.steps.map((s) => [s.id, s.kind, s.startedAt, s.endedAt, s.outcome ?? 'running']),
      empty: 'No steps ran.',
    },
    {
      title: 'Decisions',
      id: 'decisions',
      head: ['Step', 'Decision', 'By', 'Reason', 'At'],
      columns: ['id', 'id', 'id', 'text', 'time'],
      rows: report.decisions.map((d) => [d.stepId, d.decision, d.by, d.reason, d.at]),
      empty: 'No decisions.',
    },
    {
      title: 'Answers',
      id: 'answers',
      head: ['Step', 'By', 'Answer', 'At'],
      columns: ['id', 'id', 'text', 'time'],
      rows: report.answers.map((d) => [d.stepId, d.by, d.reason, d.at]),
      empty: 'No answers.',
    },
    {
      title: 'Deadline clocks',
      id: 'clocks',
      head: ['Clock', 'Stage', 'State', 'Started', 'Due', 'Met / stopped', 'Late by', 'Detail'],
      columns: ['id', 'id', 'id', 'time', 'time', 'time', 'num', 'text'],
      rows: report.clocks.map((c) => [c.clock, c.stage, c.state, c.startedAt, c.dueAt, c.metAt, duration(c.lateByMs), c.detail]),
      empty: 'No deadline clocks.',
    },
    {
      title: 'Notices sent',
      id: 'notices',
      head: ['Step', 'Channel', 'To', 'Message-ID', 'Text SHA-256', 'At'],
      columns: ['id', 'id', 'text', 'hash', 'hash', 'time'],
      rows: report.notices.map((n) => [n.stepId, n.channel, n.to.join(', '), n.messageId, n.textSha256, n.at]),
      empty: 'No notices sent.',
    },
    {
      title: 'Evidence',
      id: 'evidence',
      head: ['Evidence', 'Name', 'SHA-256', 'Size', 'Collected', 'By', 'Step / note'],
      columns: ['hash', 'text', 'hash', 'num', 'time', 'id', 'text'],
      rows: report.evidence.map((e) => [e.evidenceId, e.name, e.sha256, e.size, e.collectedAt, `${e.collectedBy.kind}:${e.collectedBy.id}`, e.stepId ?? e.note]),
      empty: 'No evidence.',
    },
    {
      title: 'Chain of custody',
      id: 'custody',
      head: ['Evidence', 'Event', 'At', 'By', 'Reason', 'To', 'SHA-256 seen'],
      columns: ['hash', 'id', 'time', 'id', 'text', 'id', 'hash'],
      rows: report.evidence.flatMap((e) => e.custody.map((c) => [e.evidenceId, c.event, c.at, `${c.by.kind}:${c.by.id}`, c.reason, c.to, c.sha256])),
      empty: 'No custody events.',
    },
  ];
}
