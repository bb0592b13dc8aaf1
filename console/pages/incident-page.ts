import { graphWithStates } from '../../report/runbook-graph';
import type { IncidentReport } from '../../report/model';
import type { IncidentStatus } from '../../workflows/incident/state';
import type { Viewer } from '../access';
import { decisionForms } from './decision-forms';
import { badge, countdown, h, incidentPath, table, timeTag } from './html';
import { type Chrome, layout } from './layout';

/** The parts of the incident page the server pushes again when they change, by SSE event name. */
export interface IncidentFragments {
  decisions: string;
  steps: string;
  clocks: string;
  timeline: string;
  /** Evidence and notices (from the report: the audit log and the evidence store). */
  records: string;
}

export function incidentFragments(status: IncidentStatus, graphSvg: string | undefined, viewer: Viewer, csrf: string, now: number, report: IncidentReport | undefined): IncidentFragments {
  const states = Object.fromEntries(status.steps.map((s) => [s.id, s.state]));
  const graph = graphSvg ? `<div class="report"><div class="runbook-graph" role="img" aria-label="Runbook ${h(status.runbook.id)} with each step's state">${graphWithStates(graphSvg, states)}</div><p class="muted">Green: done · yellow: running or waiting · red: failed, rejected or blocked · purple: compensated · grey: skipped. The table below says the same in words.</p></div>` : '';
  const steps = table(
    'Steps and their state',
    ['Step', 'Kind', 'State', 'Started', 'Ended', 'Problem'],
    status.steps.map((s) => [`<code>${h(s.id)}</code>`, h(s.kind), `<span data-step-state="${h(s.id)}">${badge(s.state, s.state)}</span>`, timeTag(s.startedAt), timeTag(s.endedAt), s.error ? `<code>${h(s.error.type ?? '')}</code> ${h(s.error.message)}` : '']),
    'No step has started yet.',
  );
  const clocks = table(
    'Deadline clocks and their stages',
    ['Clock', 'Stage', 'State', 'Due (your zone · UTC)', 'Time left', 'Submitted / stopped'],
    status.clocks.flatMap((c) =>
      c.stages.map((st) => [
        `${h(c.title)}<br><code class="muted">${h(c.id)}</code>`,
        h(st.title || st.stageId),
        badge(c.state === 'stopped' && st.state === 'running' ? 'stopped' : st.state, st.state),
        `${timeTag(st.dueAt)}${st.dueAt ? `<br><span class="muted">clock zone ${h(c.zone)}</span>` : ''}`,
        st.state === 'running' && c.state === 'running' ? countdown(st.dueAt, now) : '',
        st.submittedAt ? `${timeTag(st.submittedAt)}${st.lateByMs ? ` <span class="badge badge-late">late</span>` : ''}` : c.stoppedAt ? `${timeTag(c.stoppedAt)} by ${h(c.stoppedBy ?? '')}: ${h(c.stopReason ?? '')}` : '',
      ]),
    ),
    'No deadline clock has started.',
  );
  const timeline = table(
    'Timeline',
    ['When', 'Event', 'Who', 'Step', 'Detail'],
    [...status.timeline].reverse().map((t) => [timeTag(t.at), `<code>${h(t.event)}</code>`, h(t.actor ?? ''), h(t.stepId ?? ''), h(t.detail ?? '')]),
    'Nothing has happened yet.',
  );
  return { decisions: decisionForms(status, viewer, csrf), steps: `${graph}${steps}`, clocks, timeline, records: records(report, status) };
}

/** Evidence with hashes and custody, and notices with the hashes of the texts approved and sent: from the report. */
function records(report: IncidentReport | undefined, status: IncidentStatus): string {
  if (!report) return '<p class="muted">The audit log and evidence store could not be read just now.</p>';
  const evidence = table(
    'Evidence',
    ['Item', 'SHA-256', 'Size', 'Collected', 'Chain of custody'],
    report.evidence.map((e) => [
      `${h(e.name)}<br><code class="muted">${h(e.evidenceId)}</code>`,
      `<code class="hash">${h(e.sha256)}</code>`,
      `${e.size} B`,
      `${timeTag(e.collectedAt)} by ${h(`${e.collectedBy.kind}:${e.collectedBy.id}`)}`,
      `<ul>${e.custody.map((c) => `<li>${h(c.event)} ${timeTag(c.at)} by ${h(c.by.id)}${c.reason ? `: ${h(c.reason)}` : ''}</li>`).join('')}</ul>`,
    ]),
    'No evidence yet.',
  );
  const approved = status.approvals.filter((a) => a.draftSha256);
  const notices = table(
    'Notices',
    ['Step', 'Approved text SHA-256', 'Approvals', 'Sent', 'Sent text SHA-256'],
    [
      ...approved.map((a) => {
        const sent = report.notices.filter((n) => n.textSha256 === a.draftSha256);
        return [`<code>${h(a.stepId)}</code>`, `<code class="hash">${h(a.draftSha256 ?? '')}</code>`, h(a.decisions.map((d) => `${d.decision} by ${d.by}`).join('; ') || 'none yet'), sent.map((n) => `${timeTag(n.at)} to ${h(n.to.join(', '))}`).join('<br>') || '<span class="muted">not sent</span>', sent.map((n) => `<code class="hash">${h(n.textSha256 ?? '')}</code>`).join('<br>')];
      }),
      ...report.notices.filter((n) => !approved.some((a) => a.draftSha256 === n.textSha256)).map((n) => [`<code>${h(n.stepId ?? '')}</code>`, '', '', `${timeTag(n.at)} to ${h(n.to.join(', '))}`, `<code class="hash">${h(n.textSha256 ?? '')}</code>`]),
    ],
    'No notices drafted or sent.',
  );
  const v = report.verification;
  return `<h2 id="evidence-h">Evidence</h2>${evidence}<h2 id="notices-h">Notices</h2>${notices}
<p>Audit log: ${v.ok ? `<span class="badge badge-done">verified</span> ${v.records} records, ${v.checkpoints} signed checkpoints` : `<span class="badge badge-failed">verification failed</span> ${h(v.problems.map((p) => p.code).join(', '))}`}.</p>`;
}

export interface Flash {
  kind: 'done' | 'refused';
  text: string;
  code?: string;
}

/** One incident: summary, what waits on the viewer, live steps and graph, clocks, timeline, evidence and notices. */
export function incidentPage(chrome: Chrome & { viewer: NonNullable<Chrome['viewer']> }, status: IncidentStatus, fragments: IncidentFragments, seen: string, flash?: Flash): string {
  const path = incidentPath(status.incidentId);
  const message = flash
    ? flash.kind === 'refused'
      ? `<div class="refusal" role="alert"><p><strong>Refused:</strong> <code id="refusal-code">${h(flash.code ?? '')}</code></p><p>${h(flash.text)}</p></div>`
      : `<div class="notice" role="status"><p>${h(flash.text)}</p></div>`
    : '';
  const body = `<h1>${h(status.title)}</h1>${message}
<p>${badge(status.severity, status.severity)} ${badge(status.phase, status.phase)} · runbook <code>${h(status.runbook.id)}</code> v${status.runbook.version} · opened ${timeTag(status.openedAt)} by ${h(status.openedBy)}${status.closedAt ? ` · closed ${timeTag(status.closedAt)}` : ''} · <code class="muted">${h(status.incidentId)}</code></p>
<p><a href="${h(`${path}/report`)}">The report</a> (audit log, verification, every table)</p>
<div hx-ext="sse" sse-connect="${h(`${path}/events?seen=${seen}`)}">
<section aria-labelledby="yours-h"><h2 id="yours-h">Waiting on you</h2><div id="live-decisions" sse-swap="decisions">${fragments.decisions}</div></section>
<section aria-labelledby="steps-h"><h2 id="steps-h">Runbook and steps</h2><div id="live-steps" sse-swap="steps">${fragments.steps}</div></section>
<section aria-labelledby="clocks-h"><h2 id="clocks-h">Deadline clocks</h2><div id="live-clocks" sse-swap="clocks">${fragments.clocks}</div></section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><div id="live-timeline" sse-swap="timeline">${fragments.timeline}</div></section>
<section aria-labelledby="evidence-h" id="live-records" sse-swap="records">${fragments.records}</section>
</div>`;
  return layout({ ...chrome, current: 'incidents' }, body);
}
