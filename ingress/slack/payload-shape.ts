import { z } from 'zod';

/*
 * The shapes Bolt assumes before any listener runs. Slack itself never sends anything else, but a request signed with
 * our secret and a malformed payload (a leaked secret, a bug in a proxy) must get 400, not crash Bolt's routing into a
 * 500. Only what Bolt reads while routing is checked; listeners validate their own fields.
 */

const Action = z.object({ action_id: z.string(), block_id: z.string().optional() }).passthrough();
const Named = z.object({ id: z.string() }).passthrough();

const ByType: Record<string, z.ZodType> = {
  block_actions: z.object({ actions: z.array(Action).min(1) }).passthrough(),
  interactive_message: z.object({ actions: z.array(z.object({}).passthrough()).min(1), callback_id: z.string() }).passthrough(),
  view_submission: z.object({ view: z.object({ callback_id: z.string() }).passthrough() }).passthrough(),
  view_closed: z.object({ view: z.object({ callback_id: z.string() }).passthrough() }).passthrough(),
  shortcut: z.object({ callback_id: z.string() }).passthrough(),
  message_action: z.object({ callback_id: z.string() }).passthrough(),
  block_suggestion: z.object({ action_id: z.string() }).passthrough(),
  event_callback: z.object({ event: z.object({ type: z.string() }).passthrough() }).passthrough(),
  url_verification: z.object({ challenge: z.string() }).passthrough(),
};

const Envelope = z
  .object({
    type: z.string().optional(),
    command: z.string().optional(),
    user: Named.optional(),
    team: Named.nullable().optional(),
    channel: Named.nullable().optional(),
    // Bolt reads these whatever the type says.
    actions: z.array(z.object({}).passthrough()).optional(),
    view: z.object({}).passthrough().optional(),
    event: z.object({}).passthrough().optional(),
    message: z.object({}).passthrough().optional(),
  })
  .passthrough();

/** Why a verified Slack body cannot be routed, or undefined when Bolt can take it. */
export function slackPayloadProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the payload is not an object';
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) return `payload ${envelope.error.issues[0]?.path.join('.') || '(root)'} has the wrong shape`;
  const { type, command } = envelope.data;
  if (type === undefined) return command === undefined ? 'the payload is neither an interaction nor a command' : undefined;
  const schema = ByType[type];
  if (!schema) return undefined; // other types: Bolt ignores what it has no listener for
  const parsed = schema.safeParse(body);
  return parsed.success ? undefined : `${type} payload ${parsed.error.issues[0]?.path.join('.') || '(root)'} has the wrong shape`;
}
