import type { Client } from '@temporalio/client';
import type { Logger } from '../../worker/logging';
import type { IncidentStarter } from '../incident-starter';
import type { RunbookCatalog } from '../runbook-catalog';

/** Organisation roles of a Slack user, read at the moment they act (user groups can change mid-incident). */
export interface SlackRoleResolver {
  rolesOf(userId: string): Promise<string[]>;
}

export interface SlackListenerDeps {
  temporal: Client;
  starter: IncidentStarter;
  catalog: RunbookCatalog;
  roles: SlackRoleResolver;
  /** Slack user id → Firebreak person id, so one human is one actor everywhere. */
  people: Readonly<Record<string, string>>;
  /** How long a listener waits for Temporal before telling the user it could not get an answer. */
  temporalTimeoutMs: number;
  log: Logger;
}
