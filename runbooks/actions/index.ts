import type { ActionDefinition } from './define';
import { cloudActions } from './cloud';
import { evidenceActions } from './evidence';
import { hostActions } from './host';
import { httpActions } from './http';
import { identityActions } from './identity';
import { networkActions } from './network';
import { noopActions } from './noop';
import { notifyActions } from './notify';
import { workloadActions } from './workload';

export type { ActionDefinition } from './define';

const all = [
  ...evidenceActions,
  ...notifyActions,
  ...httpActions,
  ...identityActions,
  ...networkActions,
  ...hostActions,
  ...cloudActions,
  ...workloadActions,
  ...noopActions,
] as const;

/** Every action name a runbook may use. */
export const ACTION_NAMES = [
  'evidence.capture',
  'notify.email',
  'notify.email-batch',
  'notify.slack',
  'http.request',
  'identity.disable-user',
  'identity.enable-user',
  'identity.revoke-sessions',
  'identity.reset-factors',
  'network.block-ip',
  'network.unblock-ip',
  'host.isolate',
  'host.release',
  'cloud.deactivate-access-key',
  'cloud.reactivate-access-key',
  'cloud.access-key-reach',
  'cloud.deny-principal',
  'cloud.allow-principal',
  'cloud.isolate-instance',
  'cloud.release-instance',
  'cloud.block-public-bucket',
  'cloud.restore-bucket-access',
  'host.collect-package',
  'workload.quarantine',
  'workload.release',
  'workload.collect-logs',
  'workload.delete',
  'node.cordon',
  'node.uncordon',
  'noop',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** Action name → definition; activities implement one handler per name (a test keeps ACTION_NAMES and this map equal). */
export const actionRegistry: Readonly<Record<ActionName, ActionDefinition>> = Object.fromEntries(
  all.map((definition) => [definition.name, definition]),
) as Record<ActionName, ActionDefinition>;

export function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actionRegistry, name);
}
