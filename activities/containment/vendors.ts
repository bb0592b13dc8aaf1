import { log } from '@temporalio/activity';
import type { ActionFn, ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { ensureAccount } from './aws/account';
import { awsDeactivateAccessKey } from './aws/access-key';
import { awsDenyPrincipal } from './aws/deny-principal';
import { awsIsolateInstance } from './aws/isolate-instance';
import { keyReachPlan, readKeyReach } from './aws/key-reach';
import { awsBlockPublicBucket } from './aws/public-bucket';
import { type AwsClients, assumeRolePlan } from './aws/session';
import { awsWafBlockIp } from './aws/waf-ip-set';
import { disableUserAction, resetFactorsAction, revokeSessionsAction } from './identity/actions';
import type { IdentityProvider, UserState } from './identity/provider';
import { cloudAccessKeyReach } from '../../runbooks/actions/cloud';
import { type PlannedCall, type VendorAction, forwardActivity, notConfigured, parseInput, undoActivity } from './vendor-kit/action';
import { type StateEvidenceDeps, recordState } from './vendor-kit/state-evidence';
import { type EndpointVendorDeps, createEndpointVendorActivities, endpointVendorActions } from './endpoint-vendors';

/**
 * The containment capabilities on real vendors, by the action names runbooks use. Which vendor serves a capability
 * is configuration (`containment.identity: okta`, `containment.cloud: aws`, `containment.network: aws`); a capability
 * whose area has no vendor falls back to the generic HTTP contract (identity, network, host) or fails with
 * `containment.not_configured` (cloud).
 */
export interface VendorContainmentDeps {
  evidence: StateEvidenceDeps;
  identity?: IdentityProvider<UserState>;
  aws?: AwsClients;
  /** `network.block-ip` / `network.unblock-ip` go to the AWS WAF IP sets of `vendors.aws.wafIpSets`. */
  network?: 'aws';
  /** The EDR, Cloudflare and Kubernetes vendors (endpoint-vendors.ts). */
  endpoint?: EndpointVendorDeps;
}

type Pair = [forward: string, undo: string | undefined, action: VendorAction<never, unknown>];

function activitiesOf(pairs: Pair[], evidence: StateEvidenceDeps): Record<string, ActionFn> {
  const out: Record<string, ActionFn> = {};
  for (const [forward, undo, action] of pairs) {
    const typed = action as VendorAction<unknown, unknown>;
    out[forward] = forwardActivity(typed, evidence);
    if (undo) out[undo] = undoActivity(typed, undo, evidence);
  }
  return out;
}

/** Every AWS action first checks that the credentials act in `vendors.aws.accountId` (when set). */
function inAccount(aws: AwsClients, activities: Record<string, ActionFn>): Record<string, ActionFn> {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (request: ActionRequest) => {
        await ensureAccount(aws);
        return fn(request);
      },
    ]),
  );
}

const unconfigured = (capability: string, setting: string): ActionFn => async () => notConfigured(capability, setting);

/** `cloud.access-key-reach`: the key's reach, kept as evidence; the step result names the evidence and the policies. */
function keyReachActivity(deps: VendorContainmentDeps): ActionFn {
  return async (request: ActionRequest) => {
    if (!deps.aws) return notConfigured('cloud.access-key-reach', 'containment.cloud');
    const input = parseInput({ name: 'cloud.access-key-reach', input: cloudAccessKeyReach.input }, request) as { accessKeyId: string };
    const reach = await readKeyReach(deps.aws, input.accessKeyId);
    const target = `access key ${input.accessKeyId}`;
    const recorded = await recordState(deps.evidence, request, { vendor: 'aws', action: 'cloud.access-key-reach', target, phase: 'observed', state: reach });
    log.info('access key reach recorded', { incidentId: request.incidentId, stepId: request.stepId, evidenceId: recorded.evidenceId });
    return {
      vendor: 'aws',
      target,
      evidenceId: recorded.evidenceId,
      sha256: recorded.sha256,
      userName: reach.userName,
      groups: reach.groups,
      policies: reach.policies.map((p) => `${p.source}: ${p.name}`),
      ...(reach.lastUsed ? { lastUsed: reach.lastUsed } : {}),
    };
  };
}

export function createVendorContainmentActivities(deps: VendorContainmentDeps): Record<string, ActionFn> {
  const out: Record<string, ActionFn> = {};
  if (deps.identity) {
    const p = deps.identity;
    Object.assign(
      out,
      activitiesOf(
        [
          ['identity.disable-user', 'identity.enable-user', disableUserAction(p) as VendorAction<never, unknown>],
          ['identity.revoke-sessions', undefined, revokeSessionsAction(p) as VendorAction<never, unknown>],
          ['identity.reset-factors', undefined, resetFactorsAction(p) as VendorAction<never, unknown>],
        ],
        deps.evidence,
      ),
    );
  } else {
    out['identity.revoke-sessions'] = unconfigured('identity.revoke-sessions', 'containment.identity (a vendor)');
    out['identity.reset-factors'] = unconfigured('identity.reset-factors', 'containment.identity (a vendor)');
  }
  const cloud: Array<[string, string]> = [
    ['cloud.deactivate-access-key', 'cloud.reactivate-access-key'],
    ['cloud.deny-principal', 'cloud.allow-principal'],
    ['cloud.isolate-instance', 'cloud.release-instance'],
    ['cloud.block-public-bucket', 'cloud.restore-bucket-access'],
  ];
  if (deps.aws) {
    const aws = deps.aws;
    const pairs: Pair[] = [
      ['cloud.deactivate-access-key', 'cloud.reactivate-access-key', awsDeactivateAccessKey(aws) as VendorAction<never, unknown>],
      ['cloud.deny-principal', 'cloud.allow-principal', awsDenyPrincipal(aws) as VendorAction<never, unknown>],
      ['cloud.isolate-instance', 'cloud.release-instance', awsIsolateInstance(aws) as VendorAction<never, unknown>],
      ['cloud.block-public-bucket', 'cloud.restore-bucket-access', awsBlockPublicBucket(aws) as VendorAction<never, unknown>],
      ...(deps.network === 'aws' ? ([['network.block-ip', 'network.unblock-ip', awsWafBlockIp(aws) as VendorAction<never, unknown>]] as Pair[]) : []),
    ];
    Object.assign(out, inAccount(aws, { ...activitiesOf(pairs, deps.evidence), 'cloud.access-key-reach': keyReachActivity(deps) }));
  } else {
    for (const names of cloud) for (const name of names) out[name] = unconfigured(name, 'containment.cloud');
  }
  out['cloud.access-key-reach'] ??= keyReachActivity(deps);
  Object.assign(out, createEndpointVendorActivities(deps.endpoint ?? {}, deps.evidence));
  return out;
}

/** The exact requests a containment action would send (its dry run), or undefined when no vendor serves it. */
export type ContainmentPlanner = (action: string, input: Record<string, unknown>) => PlannedCall[] | undefined;

/** Dry runs for `firebreak runbook test --config`: the vendor actions config chooses, planned, never sent. */
export function containmentPlanner(deps: Omit<VendorContainmentDeps, 'evidence'>): ContainmentPlanner {
  const actions = new Map<string, { action: VendorAction<unknown, unknown>; undo: boolean }>();
  const add = (forward: string, undo: string | undefined, action: VendorAction<never, unknown>) => {
    actions.set(forward, { action: action as VendorAction<unknown, unknown>, undo: false });
    if (undo) actions.set(undo, { action: action as VendorAction<unknown, unknown>, undo: true });
  };
  if (deps.identity) {
    add('identity.disable-user', 'identity.enable-user', disableUserAction(deps.identity) as VendorAction<never, unknown>);
    add('identity.revoke-sessions', undefined, revokeSessionsAction(deps.identity) as VendorAction<never, unknown>);
    add('identity.reset-factors', undefined, resetFactorsAction(deps.identity) as VendorAction<never, unknown>);
  }
  if (deps.aws) {
    add('cloud.deactivate-access-key', 'cloud.reactivate-access-key', awsDeactivateAccessKey(deps.aws) as VendorAction<never, unknown>);
    add('cloud.deny-principal', 'cloud.allow-principal', awsDenyPrincipal(deps.aws) as VendorAction<never, unknown>);
    add('cloud.isolate-instance', 'cloud.release-instance', awsIsolateInstance(deps.aws) as VendorAction<never, unknown>);
    add('cloud.block-public-bucket', 'cloud.restore-bucket-access', awsBlockPublicBucket(deps.aws) as VendorAction<never, unknown>);
    if (deps.network === 'aws') add('network.block-ip', 'network.unblock-ip', awsWafBlockIp(deps.aws) as VendorAction<never, unknown>);
  }
  for (const [forward, undo, action] of endpointVendorActions(deps.endpoint ?? {})) add(forward, undo, action);
  return (name, input) => {
    if (name === 'cloud.access-key-reach' && deps.aws) {
      const parsed = cloudAccessKeyReach.input.safeParse(input);
      return parsed.success ? [...assumeRolePlan(deps.aws.settings), ...keyReachPlan((parsed.data as { accessKeyId: string }).accessKeyId)] : undefined;
    }
    const found = actions.get(name);
    if (!found) return undefined;
    const parsed = found.action.input.safeParse(input);
    if (!parsed.success) return undefined;
    const calls = found.undo ? found.action.planRestore(parsed.data) : found.action.plan(parsed.data);
    return found.action.vendor === 'aws' && deps.aws ? [...assumeRolePlan(deps.aws.settings), ...calls] : calls;
  };
}
