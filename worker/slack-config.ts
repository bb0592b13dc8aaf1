import { z } from 'zod';

const SecretRef = z.string().min(1);
const SlackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id such as U012AB3CD');
const SlackUserGroupId = z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0614TZR7');

/** Who holds an organisation role in Slack: members of these user groups (read live) and these users (fixed). */
export const SlackRoleHolders = z.object({
  userGroups: z.array(SlackUserGroupId).default([]),
  users: z.array(SlackUserId).default([]),
});
export type SlackRoleHolders = z.infer<typeof SlackRoleHolders>;

/**
 * The `slack` config key. Absent: Slack is off and approvals and inputs go through the CLI and HTTP API.
 * HTTP mode needs `signingSecret`; Socket Mode is chosen by setting `appToken`.
 */
export const SlackConfig = z
  .object({
    botToken: SecretRef,
    signingSecret: SecretRef.optional(),
    appToken: SecretRef.optional(),
    /** Requests from any other workspace or app are refused. */
    teamId: z.string().regex(/^[TE][A-Z0-9]+$/),
    appId: z.string().regex(/^A[A-Z0-9]+$/),
    /** Web API base URL (ends with `/api/`); only tests and proxies change it. */
    apiUrl: z.string().url().optional(),
    /**
     * Incident channel name: `{date}` (yyyymmdd), `{slug}` (title), `{short}` (id suffix), `{severity}`. The default
     * names nothing but the severity and a short id: a title such as "Payroll export leaked" is itself confidential.
     */
    channelName: z.string().min(1).default('inc-{severity}-{short}'),
    /** Incident channels are private (only the invited responders see them) unless this is false. */
    channelPrivate: z.boolean().default(true),
    /** Per runbook id: its own channel name template and privacy (e.g. public channels for outage drills). */
    runbookChannels: z.record(z.string().min(1), z.object({ name: z.string().min(1).optional(), private: z.boolean().optional() }).strict()).default({}),
    /** Organisation role (as runbooks and people use them) → Slack holders. */
    roles: z.record(z.string().min(1), SlackRoleHolders).default({}),
    /** Slack user → Firebreak person id, so one human is one actor across Slack, CLI and API (separation of duties). */
    people: z.record(SlackUserId, z.string().min(1)).default({}),
    /** How long user group membership is trusted before it is read again. */
    roleCacheSeconds: z.coerce.number().int().min(0).max(3600).default(30),
    /** How long a listener waits for Temporal before telling the user it could not reach it. */
    temporalTimeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Base URL of the Temporal UI for status links; default: the embedded dev server's UI. */
    temporalUiUrl: z.string().url().optional(),
  })
  .refine((slack) => slack.signingSecret !== undefined || slack.appToken !== undefined, {
    message: 'set signingSecret (HTTP mode) or appToken (Socket Mode)',
    path: ['signingSecret'],
  });
export type SlackConfig = z.infer<typeof SlackConfig>;
