import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../shared/logger';
import { slackErrorCode } from './web-client';

/** Who holds one role: the slice of the `slack.roles` config this directory reads. */
type RoleHolders = { readonly userGroups: readonly string[]; readonly users: readonly string[] };

interface CachedGroup {
  at: number;
  members: Promise<string[] | undefined>;
}

/**
 * Organisation roles of Slack users. A role's holders are the members of its user groups (read with
 * `usergroups.users.list`, trusted for `cacheMs`) plus the users named in config. When a group can't be read
 * (free workspace: `plan_upgrade_required`, a deleted group, Slack down) only the config users count: a lookup
 * failure never grants a role.
 */
export class SlackRoleDirectory {
  private readonly groups = new Map<string, CachedGroup>();

  constructor(
    private readonly client: WebClient,
    private readonly roles: Readonly<Record<string, RoleHolders>>,
    private readonly cacheMs: number,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly clock: () => number = Date.now,
  ) {}

  private groupMembers(group: string): Promise<string[] | undefined> {
    const cached = this.groups.get(group);
    if (cached && this.clock() - cached.at < this.cacheMs) return cached.members;
    const members = this.client.usergroups.users.list({ usergroup: group }).then(
      (response) => response.users ?? [],
      (error: unknown) => {
        this.groups.delete(group);
        this.log.warn({ usergroup: group, slackError: slackErrorCode(error) ?? 'unavailable' }, 'slack user group unreadable; using configured users only');
        return undefined;
      },
    );
    this.groups.set(group, { at: this.clock(), members });
    return members;
  }

  /** Slack user ids holding `role` now. */
  async holders(role: string): Promise<string[]> {
    const config = this.roles[role];
    if (!config) return [];
    const fromGroups = await Promise.all(config.userGroups.map((group) => this.groupMembers(group)));
    return [...new Set([...config.users, ...fromGroups.flatMap((members) => members ?? [])])];
  }

  /** The organisation roles `userId` holds now. */
  async rolesOf(userId: string): Promise<string[]> {
    const held = await Promise.all(Object.keys(this.roles).map(async (role) => ((await this.holders(role)).includes(userId) ? role : undefined)));
    return held.filter((role): role is string => role !== undefined);
  }

  /** Slack mention markup for a role: its user groups, or its users when it has no groups. */
  mentions(role: string): string[] {
    const config = this.roles[role];
    if (!config) return [];
    return config.userGroups.length > 0 ? config.userGroups.map((group) => `<!subteam^${group}>`) : config.users.map((user) => `<@${user}>`);
  }
}
