import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import { isPatched } from '../release';
import type { Activities } from '../../activities';
import { liveness } from '../activity-liveness';

/** The signed audit checkpoint `incident.publish` made for the closing batch (audit/checkpoint.ts has the schema). */
export interface SignedCheckpoint {
  at: string;
  origin: string;
  size: number;
  head: string;
  note: string;
}

export interface CloseCheckpointRequest {
  incidentId: string;
  checkpoint: SignedCheckpoint;
}

// Bounded like the Slack mirror: a long outage costs the channel its copy (mail and the audit channel still carry it),
// never a stuck close. A 429's Retry-After overrides the interval.
// With the heartbeat timeout, a post whose worker died is retried within seconds, not after the 30 s attempt.
type PostCheckpoint = Pick<Activities, 'slack.postCheckpoint'>;
const POST_OPTIONS = { startToCloseTimeout: '30s', retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 6 } } as const;
const postCheckpoint: PostCheckpoint['slack.postCheckpoint'] = (request) => proxyActivities<PostCheckpoint>({ ...POST_OPTIONS, ...liveness('close-checkpoint-heartbeat') })['slack.postCheckpoint'](request);

/**
 * Posts the closing checkpoint into the incident's Slack channel, so people outside the machine hold a copy of what
 * the log committed to when the incident closed. An activity rather than the audit sink: its retries outlive a Slack
 * blip, and the posting key makes a retried attempt find the first message instead of posting a second.
 */
export async function postCloseCheckpoint(incidentId: string, checkpoint: SignedCheckpoint | undefined, mirrorToSlack: boolean): Promise<void> {
  if (!checkpoint || !mirrorToSlack || !isPatched('close-checkpoint-slack')) return;
  try {
    await postCheckpoint({ incidentId, checkpoint });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('close checkpoint not posted to slack', { incidentId, size: checkpoint.size, type: error.cause instanceof ApplicationFailure ? error.cause.type : undefined });
  }
}
