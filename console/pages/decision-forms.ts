import type { IncidentStatus } from '../../workflows/incident/state';
import type { Viewer } from '../access';
import { h, incidentPath, timeTag } from './html';
import { csrfField } from './layout';
import { waitingOn } from '../../workflows/incident/waiting';

const reasonField = (id: string, label = 'Reason') => `<label for="${id}">${label}</label><textarea id="${id}" name="reason" required maxlength="4000"></textarea>`;

function answerField(id: string, type: string, choices: string[] | undefined): string {
  switch (type) {
    case 'boolean':
      return `<fieldset><legend>Answer</legend><label><input type="radio" name="value" value="true" required> Yes</label><label><input type="radio" name="value" value="false"> No</label></fieldset>`;
    case 'number':
      return `<label for="${id}">Answer (a number)</label><input type="number" step="any" id="${id}" name="value" required>`;
    case 'choice':
      return `<label for="${id}">Answer</label><select id="${id}" name="value" required>${(choices ?? []).map((c) => `<option>${h(c)}</option>`).join('')}</select>`;
    case 'timestamp':
      return `<label for="${id}">When (ISO-8601 with offset)</label><input type="text" id="${id}" name="value" required placeholder="2026-11-23T09:30:00Z" aria-describedby="${id}-hint"><p id="${id}-hint" class="muted">For example 2026-11-23T09:30:00Z or 2026-11-23T10:30:00+01:00.</p>`;
    default:
      return `<label for="${id}">Answer</label><input type="text" id="${id}" name="value" required maxlength="4000">`;
  }
}

/**
 * The signed-in person's pending decisions as forms: approvals and questions for roles they hold, blocked steps, and
 * running clocks. Each form posts to the console, which sends it through the incident client to the same Update
 * validator as Slack and the API: whether the person may decide is the validator's answer, shown as its code.
 */
export function decisionForms(status: IncidentStatus, viewer: Viewer, csrf: string): string {
  const base = incidentPath(status.incidentId);
  const holds = (roles: string[]) => viewer.roles.some((r) => roles.includes(r));
  const cards: string[] = [];
  for (const w of waitingOn(status)) {
    const id = `f-${w.kind}-${w.stepId}`;
    if (w.kind === 'approval') {
      const a = status.approvals.find((x) => x.stepId === w.stepId)!;
      if (!holds(a.allowedRoles)) continue;
      const draft = a.draft ? `<p>Text to approve, SHA-256 <code class="hash">${h(a.draftSha256 ?? '')}</code>:</p><pre class="draft">${h(a.draft)}</pre>` : '';
      cards.push(`<form class="decision" method="post" action="${h(`${base}/steps/${w.stepId}/decide`)}" aria-labelledby="${id}-h"><h3 id="${id}-h">Approve <code>${h(w.stepId)}</code>?</h3><p class="muted">${h(w.what)}</p>${draft}
${csrfField(csrf)}${a.draftSha256 ? `<input type="hidden" name="draftSha256" value="${h(a.draftSha256)}">` : ''}${reasonField(`${id}-reason`)}
<p><button class="primary" type="submit" name="decision" value="approve">Approve</button> <button class="danger" type="submit" name="decision" value="reject">Reject</button></p></form>`);
    } else if (w.kind === 'input') {
      const p = status.pendingInputs.find((x) => x.stepId === w.stepId)!;
      if (!holds(p.allowedRoles)) continue;
      cards.push(`<form class="decision" method="post" action="${h(`${base}/steps/${w.stepId}/answer`)}" aria-labelledby="${id}-h"><h3 id="${id}-h">${h(p.ask)}</h3><p class="muted">Step <code>${h(w.stepId)}</code>, for ${h(p.allowedRoles.join(' or '))}</p>
${csrfField(csrf)}<input type="hidden" name="type" value="${h(p.type)}">${answerField(`${id}-value`, p.type, p.choices)}<p><button class="primary" type="submit">Answer</button></p></form>`);
    } else {
      cards.push(`<form class="decision" method="post" action="${h(`${base}/steps/${w.stepId}/resolve`)}" aria-labelledby="${id}-h"><h3 id="${id}-h">Step <code>${h(w.stepId)}</code> is blocked</h3><p class="muted">${h(w.what)}</p>
${csrfField(csrf)}<fieldset><legend>What now</legend><label><input type="radio" name="choice" value="retry" required> Retry it</label><label><input type="radio" name="choice" value="continue"> Continue without it</label><label><input type="radio" name="choice" value="abort"> Abort the incident</label></fieldset>${reasonField(`${id}-reason`)}<p><button class="primary" type="submit">Resolve</button></p></form>`);
    }
  }
  for (const clock of status.phase === 'running' ? status.clocks.filter((c) => c.state === 'running') : []) {
    const id = `f-clock-${clock.id}`;
    const next = clock.stages.find((s) => s.state === 'running');
    cards.push(`<form class="decision" method="post" action="${h(`${base}/clocks/${clock.id}/stop`)}" aria-labelledby="${id}-h"><h3 id="${id}-h">Stop clock <code>${h(clock.id)}</code> without a notice</h3><p class="muted">${h(clock.title)}${next ? `; ${h(next.title || next.stageId)} due ${timeTag(next.dueAt)}` : ''}. Only a role that approves this runbook's disclosures, or the incident commander, may.</p>
${csrfField(csrf)}${reasonField(`${id}-reason`, 'Reason (e.g. not notifiable, with the assessment)')}<p><button type="submit">Stop the clock</button></p></form>`);
  }
  if (status.phase === 'running') {
    cards.push(`<details class="decision"><summary>Abort this incident</summary><form method="post" action="${h(`${base}/abort`)}">${csrfField(csrf)}${reasonField('f-abort-reason')}<p class="muted">Completed containment is undone in reverse order.</p><p><button class="danger" type="submit">Abort</button></p></form></details>`);
  }
  return cards.length > 0 ? `<div class="decisions">${cards.join('\n')}</div>` : '<p class="muted">Nothing waits on you in this incident.</p>';
}
