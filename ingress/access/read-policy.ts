import type { Runbook } from '../../runbooks/schema/runbook';
import type { IncidentStatus } from '../../workflows/incident/state';
import { addParticipants } from '../../workflows/incident/summary';

/*
 * Who may see what: the one place every read path asks (HTTP API, the CLI through it, Slack, report and export).
 * Pure: callers bring the viewer, the incident's status (or nothing, once Temporal forgot it) and its runbook.
 *
 * | what                              | who                                                                          |
 * | an incident (status, timeline)    | incident-commander, auditor, holders of a role its runbook names, participants |
 * | evidence metadata, hashes, custody| whoever may see the incident                                                 |
 * | evidence content                  | the runbook's evidence handlers (`handle-evidence`); a runbook naming none: its role holders and incident-commander |
 * | export bundle, audit witness      | incident-commander, auditor                                                  |
 */

/** A person reading: their id and organisation roles (from the token directory, or Slack's role directory). */
export interface Viewer {
  id: string;
  roles: readonly string[];
}

/** Roles that see every incident: the incident commander runs them all, the auditor checks them all. */
export const SEE_ALL_ROLES = ['incident-commander', 'auditor'] as const;
/** The runbook role whose organisation roles may open evidence content. */
export const EVIDENCE_HANDLER_ROLE = 'handle-evidence';
/** Who else opens evidence content when a runbook names no evidence handlers (besides the holders of its roles). */
export const DEFAULT_EVIDENCE_HANDLERS = ['incident-commander'] as const;

export type ReadDecision = { allowed: true; because: string } | { allowed: false; code: ReadRefusal; reason: string };
/** Stable codes of refused reads; never renamed once released. */
export type ReadRefusal = 'access.not_a_viewer' | 'access.not_evidence_handler' | 'access.export_forbidden';

const allow = (because: string): ReadDecision => ({ allowed: true, because });
const refuse = (code: ReadRefusal, reason: string): ReadDecision => ({ allowed: false, code, reason });

/** The organisation roles a runbook names (a runbook role without a mapping stands for the organisation role of its name). */
export function runbookRoles(runbook: Pick<Runbook, 'roles'> | undefined): string[] {
  if (!runbook) return [];
  return [...new Set(Object.entries(runbook.roles).flatMap(([role, mapped]) => [role, ...mapped]))];
}

/** Everyone who acted in the incident: opened it, requested or decided an approval, or appears on its timeline. */
export function participants(status: Pick<IncidentStatus, 'openedBy' | 'approvals' | 'timeline'> | undefined): Set<string> {
  const people = new Set<string>();
  if (status) addParticipants(people, status);
  return people;
}

const seesAll = (viewer: Viewer): boolean => viewer.roles.some((role) => (SEE_ALL_ROLES as readonly string[]).includes(role));

/** Whether `viewer` may see the incident at all (its status, timeline, report, and its evidence's metadata). */
export function mayViewIncident(viewer: Viewer, status: Pick<IncidentStatus, 'openedBy' | 'approvals' | 'timeline'> | undefined, runbook: Pick<Runbook, 'roles'> | undefined): ReadDecision {
  return mayViewWith(viewer, () => participants(status), runbook);
}

/** The same decision from the participants an incident's summary memo lists (a list row, no status at hand). */
export function mayViewListed(viewer: Viewer, people: readonly string[], runbook: Pick<Runbook, 'roles'> | undefined): ReadDecision {
  return mayViewWith(viewer, () => new Set(people), runbook);
}

function mayViewWith(viewer: Viewer, people: () => ReadonlySet<string>, runbook: Pick<Runbook, 'roles'> | undefined): ReadDecision {
  if (seesAll(viewer)) return allow('role sees every incident');
  const roles = runbookRoles(runbook);
  const held = viewer.roles.find((role) => roles.includes(role));
  if (held) return allow(`holds runbook role ${held}`);
  if (people().has(viewer.id)) return allow('took part in the incident');
  return refuse('access.not_a_viewer', 'neither a role of this incident\'s runbook, nor a participant, nor incident-commander or auditor');
}

/** The organisation roles that may open this runbook's evidence content. */
export function evidenceHandlers(runbook: Pick<Runbook, 'roles'> | undefined): string[] {
  const named = runbook?.roles[EVIDENCE_HANDLER_ROLE];
  if (named && named.length > 0) return [...named];
  if (runbook && EVIDENCE_HANDLER_ROLE in runbook.roles) return [EVIDENCE_HANDLER_ROLE];
  // Runbooks written before evidence handlers existed: the people the runbook already trusts with the incident.
  return [...new Set([...runbookRoles(runbook), ...DEFAULT_EVIDENCE_HANDLERS])];
}

/** Whether `viewer` may download evidence content (the bytes); metadata and hashes follow `mayViewIncident`. */
export function mayReadEvidenceContent(viewer: Viewer, runbook: Pick<Runbook, 'roles'> | undefined): ReadDecision {
  const handlers = evidenceHandlers(runbook);
  const held = viewer.roles.find((role) => handlers.includes(role));
  if (held) return allow(`evidence handler through ${held}`);
  return refuse('access.not_evidence_handler', `evidence content is for the runbook's evidence handlers (${handlers.join(', ')})`);
}

/** Whether `viewer` may take an export bundle or read the audit witness (every incident id and the whole chain). */
export function mayExport(viewer: Viewer): ReadDecision {
  if (seesAll(viewer)) return allow('role sees every incident');
  return refuse('access.export_forbidden', 'export bundles are for incident-commander and auditor');
}
