import type { Logger } from '../../shared/logger';
import type { IncidentClient } from '../incident-client';
import type { ReadGuard } from '../access/read-guard';
import type { RunbookCatalog } from '../runbook-catalog';

/** Organisation roles of a Slack user, read at the moment they act (user groups can change mid-incident). */
export interface SlackRoleResolver {
  rolesOf(userId: string): Promise<string[]>;
}

export interface SlackListenerDeps {
  /** Every Temporal call; its deadline is how long a listener waits before telling the user it got no answer. */
  incidents: IncidentClient;
  catalog: RunbookCatalog;
  roles: SlackRoleResolver;
  /** Slack user id → Firebreak person id, so one human is one actor everywhere. */
  people: Readonly<Record<string, string>>;
  log: Logger;
  /** The read policy (ingress/access): who may see which incident in `/incident status` and `list`. */
  reads?: ReadGuard;
}
