import type { AuthFailureCode, AuthResult } from '../source-kind';

export const accepted: AuthResult = { ok: true };

/** A refusal with a stable code; the message is for operators and never contains secret material. */
export function refused(code: AuthFailureCode, message: string): AuthResult {
  return { ok: false, code, message };
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * Checks a signed Unix-seconds timestamp against the moment the delivery arrived. Refuses with `auth.malformed` when
 * the header is not an integer, `auth.stale` when it is more than `toleranceSeconds` old, `auth.future` when it is
 * more than `toleranceSeconds` ahead (a sender with a fast clock, or a replay prepared in advance).
 */
export function checkTimestampWindow(header: string, receivedAt: Date, toleranceSeconds: number, name: string): AuthResult {
  if (!UNIX_SECONDS.test(header)) return refused('auth.malformed', `${name} is not Unix seconds`);
  const ageSeconds = receivedAt.getTime() / 1000 - Number(header);
  if (ageSeconds > toleranceSeconds) return refused('auth.stale', `${name} is older than ${toleranceSeconds}s`);
  if (-ageSeconds > toleranceSeconds) return refused('auth.future', `${name} is more than ${toleranceSeconds}s ahead`);
  return accepted;
}

/** The first refusal, or `accepted` when every check passed. Checks run lazily so a missing header stops early. */
export function allOf(...checks: (() => AuthResult)[]): AuthResult {
  for (const check of checks) {
    const result = check();
    if (!result.ok) return result;
  }
  return accepted;
}
