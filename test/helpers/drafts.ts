import type { IncidentStatus } from '../../workflows/incident/state';
import type { FirebreakUnderTest } from './firebreak';

/** The SHA-256 of an approval step's draft as the incident status shows it now: what an approver's client sends. */
export async function draftShown(fb: FirebreakUnderTest, incidentId: string, stepId: string): Promise<string | undefined> {
  const status = await fb.api<IncidentStatus>('GET', `/v1/incidents/${incidentId}`);
  return status.body.approvals?.find((approval) => approval.stepId === stepId)?.draftSha256;
}
