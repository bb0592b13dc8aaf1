import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a signed request older (or newer) than this is refused. */
export const SLACK_SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; code: 'slack.signature_missing' | 'slack.signature_stale' | 'slack.signature_invalid' };

/** `v0=` + HMAC-SHA256 over `v0:<timestamp>:<raw body>`, as Slack signs requests. */
export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** Verifies `X-Slack-Signature` over the exact bytes received; compares in constant time. */
export function verifySlackSignature(secret: string, headers: { timestamp?: string; signature?: string }, rawBody: Buffer, nowSeconds: number): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, code: 'slack.signature_missing' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_SIGNATURE_WINDOW_SECONDS) return { ok: false, code: 'slack.signature_stale' };
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, code: 'slack.signature_invalid' };
}

/** Which workspace and app a verified payload (slash command form or interaction JSON) says it is for. */
export function payloadOrigin(body: Record<string, unknown>): { teamId?: string; appId?: string } {
  const team = body.team as { id?: string } | undefined;
  const user = body.user as { team_id?: string } | undefined;
  const teamId = (body.team_id as string | undefined) ?? team?.id ?? user?.team_id;
  return { teamId, appId: body.api_app_id as string | undefined };
}

/** True when the payload is for our workspace and app; a request signed for another app of ours is refused too. */
export function isOurWorkspace(body: Record<string, unknown>, expected: { teamId: string; appId: string }): boolean {
  const origin = payloadOrigin(body);
  return origin.teamId === expected.teamId && origin.appId === expected.appId;
}
