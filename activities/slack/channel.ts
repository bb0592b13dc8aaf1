import { ApplicationFailure } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import { FailureType } from '../../workflows/failure-types';
import type { IncidentSnapshot } from '../../workflows/incident/slack-snapshot';
import type { SlackMessageStore } from './message-store';
import type { SlackRoleDirectory } from './role-directory';
import { callSlack, callSlackTolerating } from './web-client';

/** How incident channels are made: a name template and whether the channel is private, with overrides per runbook id. */
export interface IncidentChannelSettings {
  /** `{date}`, `{slug}`, `{short}`, `{severity}` placeholders. */
  name: string;
  private: boolean;
  runbooks: Record<string, { name?: string; private?: boolean }>;
}

export interface ChannelDeps {
  client: WebClient;
  store: SlackMessageStore;
  roles: SlackRoleDirectory;
  channels: IncidentChannelSettings;
}

/** The settings that apply to one runbook's incidents. */
export function channelSettingsFor(settings: IncidentChannelSettings, runbookId: string): { name: string; private: boolean } {
  const own = settings.runbooks[runbookId] ?? {};
  return { name: own.name ?? settings.name, private: own.private ?? settings.private };
}

/** Channel names: lower case, letters, digits, `-` and `_`, at most 80 characters. */
export function incidentChannelName(template: string, snapshot: Pick<IncidentSnapshot, 'incidentId' | 'title' | 'severity' | 'openedAt'>): string {
  const slug = snapshot.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  const short = (snapshot.incidentId.split('/').pop() ?? snapshot.incidentId).toLowerCase().slice(-8);
  const name = template
    .replace(/\{date\}/g, snapshot.openedAt.slice(0, 10).replace(/-/g, ''))
    .replace(/\{slug\}/g, slug || 'incident')
    .replace(/\{short\}/g, short)
    .replace(/\{severity\}/g, snapshot.severity)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-');
  return name.slice(0, 80).replace(/-+$/, '');
}

/** Finds our own channel when a crashed attempt created it but never recorded it (create then says `name_taken`). */
async function findChannel(client: WebClient, name: string, isPrivate: boolean): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const listed = await callSlack('conversations.list', () => client.conversations.list({ types: isPrivate ? 'private_channel' : 'public_channel', exclude_archived: true, limit: 1000, cursor }));
    const found = listed.channels?.find((c) => c.name === name);
    if (found?.id) return found.id;
    cursor = listed.response_metadata?.next_cursor;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** The incident's channel, created on first sight and remembered under `<incident>/channel`. */
export async function ensureIncidentChannel(deps: ChannelDeps, snapshot: IncidentSnapshot): Promise<string> {
  const key = `${snapshot.incidentId}/channel`;
  const known = await deps.store.get<{ channel: string }>(key);
  if (known) return known.channel;
  const settings = channelSettingsFor(deps.channels, snapshot.runbook.id);
  const name = incidentChannelName(settings.name, snapshot);
  // Private by default: an incident's existence and severity are already sensitive (a breach under way).
  const created = await callSlackTolerating('conversations.create', ['name_taken'], () => deps.client.conversations.create({ name, is_private: settings.private }));
  const channel = created?.channel?.id ?? (await findChannel(deps.client, name, settings.private));
  if (!channel) {
    // An archived or private channel holds the name: only a person (or another naming template) can fix that.
    throw ApplicationFailure.create({ type: FailureType.SlackRejected, message: `conversations.create: name ${name} is taken`, details: [{ method: 'conversations.create', error: 'name_taken' }], nonRetryable: true });
  }
  return (await deps.store.put(key, { channel })).channel;
}

/** Invites everyone holding one of the runbook's roles who was not invited yet (roles can gain members mid-incident). */
export async function inviteResponders(deps: ChannelDeps, snapshot: IncidentSnapshot, channel: string): Promise<string[]> {
  const key = `${snapshot.incidentId}/invited`;
  const invited = new Set((await deps.store.get<{ users: string[] }>(key))?.users ?? []);
  const orgRoles = [...new Set(Object.values(snapshot.roles).flat())];
  const holders = new Set((await Promise.all(orgRoles.map((role) => deps.roles.holders(role)))).flat());
  const fresh = [...holders].filter((user) => !invited.has(user));
  if (fresh.length === 0) return [];
  // force: invite the valid users even when one id is bad; already_in_channel alone means there is nothing to do.
  await callSlackTolerating('conversations.invite', ['already_in_channel', 'cant_invite_self'], () =>
    deps.client.conversations.invite({ channel, users: fresh.join(','), force: true }),
  );
  await deps.store.put(key, { users: [...invited, ...fresh] });
  return fresh;
}
