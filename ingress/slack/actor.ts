import type { Actor } from '../../workflows/incident/messages';
import type { SlackListenerDeps } from './deps';

/**
 * The actor behind a verified Slack user id: the mapped Firebreak person, or `slack:<user id>`. Roles are read now,
 * never taken from the message that was clicked: anyone in a channel can click any button.
 */
export async function slackActor(deps: Pick<SlackListenerDeps, 'roles' | 'people'>, userId: string): Promise<Actor> {
  return { kind: 'person', id: deps.people[userId] ?? `slack:${userId}`, roles: await deps.roles.rolesOf(userId) };
}
