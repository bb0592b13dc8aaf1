import { isIP } from 'node:net';
import { ApplicationFailure, log } from '@temporalio/activity';
import { actionRegistry } from '../../runbooks/actions';
import { FailureType } from '../../workflows/failure-types';
import type { ActionFn, ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { type EndpointCall, type HttpEndpoint, callEndpoint } from '../http/endpoint';
import { HttpFailureType } from '../http/failures';
import { type VendorContainmentDeps, createVendorContainmentActivities } from './vendors';

/** The endpoint each adapter calls (from `containment:` in config); an unset one fails its steps, never silently. */
export interface ContainmentDeps {
  identity?: HttpEndpoint;
  network?: HttpEndpoint;
  host?: HttpEndpoint;
  /** Real vendors (Okta, Entra, Google, LDAP, AWS); a capability served by a vendor does not use the endpoint. */
  vendors?: VendorContainmentDeps;
}

export interface ContainmentResult {
  /** The user, address or host acted on. */
  target: string;
  endpoint: string;
  status: number;
  bodySha256: string;
}

type Area = 'identity' | 'network' | 'host';
type Input = Record<string, string | undefined>;
type Call = Omit<EndpointCall, 'idempotencyKey'>;
type ContainmentAction = 'identity.disable-user' | 'identity.enable-user' | 'network.block-ip' | 'network.unblock-ip' | 'host.isolate' | 'host.release';
interface Adapter {
  area: Area;
  /** The subject acted on, checked for what the provider would accept. */
  target: (input: Input, action: string) => string;
  call: (input: Input, target: string, reference: string) => Call;
}

const seg = encodeURIComponent;
const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

function invalid(action: string, paths: string[], what: string): never {
  throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `${action}: ${what}`, nonRetryable: true, details: [{ paths }] });
}

/** An address or CIDR range; a firewall API handed anything else would refuse it (or worse, block something else). */
function requireAddress(action: string, ip: string): string {
  const [address, prefix, extra] = ip.trim().split('/');
  const family = isIP(address ?? '');
  const maxPrefix = family === 4 ? 32 : 128;
  if (!family || extra !== undefined || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix))) {
    invalid(action, ['ip'], 'expected an IPv4/IPv6 address or CIDR range');
  }
  return ip.trim();
}

function ttlSeconds(ttl: string | undefined): number | undefined {
  const match = ttl ? /^(\d+)(s|m|h|d)$/.exec(ttl) : null;
  return match ? Number(match[1]) * DURATION_SECONDS[match[2]!]! : undefined;
}

/**
 * How each action maps onto its provider's API: the request shapes of common identity providers, firewalls and EDR
 * consoles, reduced to what every one of them needs. `reference` carries the incident so the provider's own audit
 * log points back here.
 */
const ADAPTERS: Record<ContainmentAction, Adapter> = {
  'identity.disable-user': {
    area: 'identity',
    target: (input) => input.user!,
    call: (input, user, reference) => ({ method: 'POST', path: `/v1/users/${seg(user)}/suspend`, body: { user, revokeSessions: true, reason: input.reason, reference } }),
  },
  'identity.enable-user': {
    area: 'identity',
    target: (input) => input.user!,
    call: (input, user, reference) => ({ method: 'POST', path: `/v1/users/${seg(user)}/unsuspend`, body: { user, reason: input.reason, reference } }),
  },
  'network.block-ip': {
    area: 'network',
    target: (input, action) => requireAddress(action, input.ip!),
    call: (input, cidr, reference) => ({
      method: 'POST',
      path: '/v1/blocklist',
      body: { cidr, action: 'deny', direction: 'both', ttlSeconds: ttlSeconds(input.ttl), comment: input.reason, reference },
    }),
  },
  'network.unblock-ip': {
    area: 'network',
    target: (input, action) => requireAddress(action, input.ip!),
    call: (input, cidr, reference) => ({ method: 'DELETE', path: `/v1/blocklist/${seg(cidr)}`, body: { cidr, comment: input.reason, reference } }),
  },
  'host.isolate': {
    area: 'host',
    target: (input) => input.host!,
    call: (input, host, reference) => ({ method: 'POST', path: `/v1/hosts/${seg(host)}/containment`, body: { action: 'contain', comment: input.reason, reference } }),
  },
  'host.release': {
    area: 'host',
    target: (input) => input.host!,
    call: (input, host, reference) => ({ method: 'POST', path: `/v1/hosts/${seg(host)}/containment`, body: { action: 'lift_containment', comment: input.reason, reference } }),
  },
};

function adapter(deps: ContainmentDeps, action: ContainmentAction) {
  const { area, target, call } = ADAPTERS[action];
  return async (request: ActionRequest): Promise<ContainmentResult> => {
    const parsed = actionRegistry[action].input.safeParse(request.input);
    if (!parsed.success) invalid(action, parsed.error.issues.map((issue) => issue.path.join('.')), 'input does not match the action schema');
    const endpoint = deps[area];
    if (!endpoint) {
      throw ApplicationFailure.create({ type: HttpFailureType.ContainmentNotConfigured, message: `no ${area} endpoint is configured (containment.${area})`, nonRetryable: true, details: [{ area }] });
    }
    const input = parsed.data as Input;
    const subject = target(input, action);
    const response = await callEndpoint(endpoint, { ...call(input, subject, request.incidentId), idempotencyKey: request.key });
    log.info('containment action done', { incidentId: request.incidentId, stepId: request.stepId, action, endpoint: endpoint.name, status: response.status });
    return { target: subject, endpoint: endpoint.name, status: response.status, bodySha256: response.bodySha256 };
  };
}

const notConfiguredWithoutVendors = (name: string): ActionFn => async () => {
  throw ApplicationFailure.create({ type: HttpFailureType.ContainmentNotConfigured, message: `${name}: no vendor is configured (containment, vendors)`, nonRetryable: true });
};

/**
 * The containment activities, one per action name: a vendor adapter where config names one for the area, otherwise
 * the generic HTTP contract (identity, network, host) called with the request key as the idempotency key.
 */
export function createContainmentActivities(deps: ContainmentDeps) {
  const vendor: Record<string, ActionFn> = deps.vendors ? createVendorContainmentActivities(deps.vendors) : {};
  const http = (action: ContainmentAction): ActionFn => vendor[action] ?? adapter(deps, action);
  const only = (name: string): ActionFn => vendor[name] ?? notConfiguredWithoutVendors(name);
  return {
    'identity.disable-user': http('identity.disable-user'),
    'identity.enable-user': http('identity.enable-user'),
    'identity.revoke-sessions': only('identity.revoke-sessions'),
    'identity.reset-factors': only('identity.reset-factors'),
    'network.block-ip': http('network.block-ip'),
    'network.unblock-ip': http('network.unblock-ip'),
    'host.isolate': http('host.isolate'),
    'host.release': http('host.release'),
    'host.collect-package': only('host.collect-package'),
    'workload.quarantine': only('workload.quarantine'),
    'workload.release': only('workload.release'),
    'workload.collect-logs': only('workload.collect-logs'),
    'workload.delete': only('workload.delete'),
    'node.cordon': only('node.cordon'),
    'node.uncordon': only('node.uncordon'),
    'cloud.deactivate-access-key': only('cloud.deactivate-access-key'),
    'cloud.reactivate-access-key': only('cloud.reactivate-access-key'),
    'cloud.access-key-reach': only('cloud.access-key-reach'),
    'cloud.deny-principal': only('cloud.deny-principal'),
    'cloud.allow-principal': only('cloud.allow-principal'),
    'cloud.isolate-instance': only('cloud.isolate-instance'),
    'cloud.release-instance': only('cloud.release-instance'),
    'cloud.block-public-bucket': only('cloud.block-public-bucket'),
    'cloud.restore-bucket-access': only('cloud.restore-bucket-access'),
  } satisfies Record<string, ActionFn>;
}
