import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { evaluateConditionActivity } from '../../activities/conditions/evaluate';
import { createDeadlineActivities } from '../../activities/deadlines/compute';
import type { ContainmentPlanner } from '../../activities/containment/vendors';
import type { PlannedCall } from '../../activities/containment/vendor-kit/action';
import type { ActionName } from '../../runbooks/actions';
import type { ActionFn, ActionRequest } from '../../workflows/runbook-interpreter/steps/action';

/**
 * Every activity the worker registers plus every action a runbook may name, with the real argument types: adding
 * an activity without a fake here is a compile error, so a runbook test cannot silently miss a side effect.
 */
export type ActivityFakes = {
  [K in keyof Activities | ActionName]: K extends keyof Activities ? (...args: Parameters<Activities[K]>) => Promise<unknown> : ActionFn;
};

export interface RecordedAction {
  action: string;
  stepId: string;
  key: string;
  input: Record<string, unknown>;
  /** Set when the script made this call fail. */
  failedWith?: string;
  /** The requests the configured vendor would be sent (`runbook test --config`). */
  plan?: PlannedCall[];
}

const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');

/** Fakes that record each action and answer like the real one would; `failures` (step id → type) fail a step once. */
export function createRecordingFakes(failures: Readonly<Record<string, string>>, planner?: ContainmentPlanner): { activities: ActivityFakes; calls: RecordedAction[] } {
  const calls: RecordedAction[] = [];
  const failed = new Set<string>();
  const captured = new Map<string, { name: string; evidenceId: string; sha256: string; size: number }>();
  const record =
    (action: string, answer: (request: ActionRequest) => unknown): ActionFn =>
    async (request) => {
      const type = failures[request.stepId];
      const call: RecordedAction = { action, stepId: request.stepId, key: request.key, input: request.input };
      calls.push(call);
      if (type && !request.key.endsWith('/undo') && !failed.has(request.key)) {
        failed.add(request.key);
        call.failedWith = type;
        throw ApplicationFailure.create({ type, message: `scripted failure of ${request.stepId}`, nonRetryable: true });
      }
      return answer(request);
    };
  const containment = (action: string) =>
    record(action, (r) => {
      const plan = planner?.(action, r.input);
      if (plan) calls.find((c) => c.key === r.key && c.action === action && !c.plan)!.plan = plan;
      return { target: Object.values(r.input)[0], endpoint: 'runbook-test', status: 200, bodySha256: sha256(''), ...(plan ? { plan } : {}) };
    });
  const activities: ActivityFakes = {
    'evidence.capture': record('evidence.capture', (r) => {
      const item = { evidenceId: `ev-${r.stepId}`, name: r.input.name, sha256: sha256(r.input.from) };
      captured.set(String(r.input.name), { ...item, name: String(r.input.name), size: JSON.stringify(r.input.from ?? null).length });
      return item;
    }),
    // Attachments are what the scenario captured, as the evidence store would find them by name.
    'notify.resolve-attachments': async (request) => ({
      attachments: request.names.flatMap((name) => captured.get(name) ?? []),
      missing: request.names.filter((name) => !captured.has(name)),
    }),
    'notify.email': record('notify.email', (r) => ({ messageId: `<${sha256(r.key).slice(0, 24)}@runbook-test>`, to: [r.input.to].flat(), delivery: 'outbox', alreadySent: false })),
    'notify.email-batch': record('notify.email-batch', () => ({ position: 0, total: 0, sent: 0, alreadySent: 0, rejected: [] })),
    // Audit records outside the timeline (a lift's outcome) go nowhere in a runbook test, as its timeline does.
    'audit.append': async (request) => ({ seq: 0, hash: request.key }),
    'notify.slack': record('notify.slack', (r) => ({ channel: r.input.channel ?? 'incident', ts: '0000000000.000100' })),
    'http.request': record('http.request', (r) => ({ endpoint: r.input.endpoint, method: r.input.method, status: 200, bodySha256: sha256(''), bodyBytes: 0 })),
    'identity.disable-user': containment('identity.disable-user'),
    'identity.enable-user': containment('identity.enable-user'),
    'network.block-ip': containment('network.block-ip'),
    'network.unblock-ip': containment('network.unblock-ip'),
    'host.isolate': containment('host.isolate'),
    'host.release': containment('host.release'),
    'identity.revoke-sessions': containment('identity.revoke-sessions'),
    'identity.reset-factors': containment('identity.reset-factors'),
    'cloud.deactivate-access-key': containment('cloud.deactivate-access-key'),
    'cloud.reactivate-access-key': containment('cloud.reactivate-access-key'),
    'cloud.access-key-reach': containment('cloud.access-key-reach'),
    'cloud.deny-principal': containment('cloud.deny-principal'),
    'cloud.allow-principal': containment('cloud.allow-principal'),
    'cloud.isolate-instance': containment('cloud.isolate-instance'),
    'cloud.release-instance': containment('cloud.release-instance'),
    'cloud.block-public-bucket': containment('cloud.block-public-bucket'),
    'cloud.restore-bucket-access': containment('cloud.restore-bucket-access'),
    'host.collect-package': record('host.collect-package', (r) => ({ host: r.input.host, files: [{ name: 'investigation-package.zip', evidenceId: `ev-${r.stepId}`, sha256: sha256(r.key) }] })),
    'workload.quarantine': containment('workload.quarantine'),
    'workload.release': containment('workload.release'),
    'workload.collect-logs': record('workload.collect-logs', (r) => ({ workload: `${r.input.kind ?? 'pod'} ${r.input.namespace}/${r.input.name}`, files: [] })),
    'workload.delete': containment('workload.delete'),
    'node.cordon': containment('node.cordon'),
    'node.uncordon': containment('node.uncordon'),
    noop: record('noop', (r) => ({ key: r.key })),
    // Pure computations decide the path (conditions, deadline due times), so the real ones run.
    'conditions.evaluate': evaluateConditionActivity,
    ...createDeadlineActivities(),
    'incident.publish': async (request) => ({ published: request.entries.length }),
    // The incident's Slack mirror is a view, not a side effect a runbook test checks.
    'slack.sync': async () => ({ skipped: 'slack.not_configured' }),
    'slack.postCheckpoint': async () => ({ skipped: 'slack.not_configured' }),
  };
  return { activities, calls };
}
