import { ApplicationFailure, log } from '@temporalio/activity';
import { z } from 'zod';
import type { EvidenceStore } from '../../evidence';
import { FailureType } from '../../workflows/failure-types';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';

export interface EvidenceDeps {
  /**
   * The configured store, opened once and shared. Its custody mirror into the audit log is part of the capture: a
   * failed mirror fails the capture, whose retry reports the event again.
   */
  store: () => Promise<EvidenceStore>;
}

const CaptureInput = z.object({ name: z.string().min(1), from: z.unknown(), mediaType: z.string().optional(), note: z.string().optional() });

/** What history keeps of a capture: ids and the hash, never the content. */
export interface CaptureResult {
  evidenceId: string;
  sha256: string;
  size: number;
  name: string;
}

/**
 * `evidence.capture`: stores the referenced value (the alert, an answer, a step result) content-addressed and
 * write-once, with a custody record naming the step. The evidence id derives from the step key, so a retry stores once.
 */
export function createCaptureEvidence(deps: EvidenceDeps) {
  return async function captureEvidence(request: ActionRequest): Promise<CaptureResult> {
    const parsed = CaptureInput.safeParse(request.input);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: 'evidence.capture: name and from are required', nonRetryable: true });
    }
    const { name, from, mediaType, note } = parsed.data;
    const content = typeof from === 'string' ? Buffer.from(from) : Buffer.from(JSON.stringify(from, null, 2));
    const item = await (await deps.store()).put(content, {
      key: request.key,
      incidentId: request.incidentId,
      name,
      mediaType: mediaType ?? (typeof from === 'string' ? 'text/plain' : 'application/json'),
      source: `firebreak:incident/${request.incidentId}/step/${request.stepId}`,
      method: 'evidence.capture (runbook step)',
      collectedBy: { kind: 'system', id: 'firebreak-worker' },
      stepId: request.stepId,
      note,
    });
    log.info('evidence captured', { incidentId: request.incidentId, stepId: request.stepId, evidenceId: item.evidenceId, sha256: item.sha256 });
    return { evidenceId: item.evidenceId, sha256: item.sha256, size: item.size, name };
  };
}
