import type { z } from 'zod';
import { Alert, type Severity } from '../../../runbooks/schema/alert';
import type { BodyIssue, NormaliseResult } from '../source-kind';
import { sha256Hex } from './crypto';

/**
 * Severity words used by monitoring tools, mapped onto ours. Prometheus convention: `critical` pages, `warning`
 * opens a ticket, so `warning` is `medium`, not `high`. `error` is treated as paging (`critical`).
 */
const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical', crit: 'critical', fatal: 'critical', emergency: 'critical', page: 'critical', error: 'critical',
  p1: 'critical', sev1: 'critical',
  high: 'high', major: 'high', p2: 'high', sev2: 'high',
  medium: 'medium', moderate: 'medium', warning: 'medium', warn: 'medium', p3: 'medium', sev3: 'medium',
  low: 'low', minor: 'low', p4: 'low', sev4: 'low',
  info: 'info', informational: 'info', notice: 'info', none: 'info', p5: 'info', sev5: 'info',
};

/** Maps a sender's severity word (case-insensitive); `medium` when absent or unknown, like the generic default. */
export function severityFromWord(word: string | undefined | null): Severity {
  return (word && SEVERITY_WORDS[word.trim().toLowerCase()]) || 'medium';
}

/** Cuts third-party text to our limits: refusing a long summary would lose an alert the sender will not resend. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const TITLE_MAX = 500;
export const DESCRIPTION_MAX = 20_000;
const LINK_MAX = 2048;

/** The URL when it is http(s) and within limits; otherwise undefined (a link responders click must not be `javascript:`). */
export function httpLink(url: string | undefined | null): string | undefined {
  if (!url || url.length > LINK_MAX) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Canonical JSON of a string map: keys sorted, so the same labels always give the same bytes. */
function canonicalLabels(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Default fingerprint: SHA-256 hex of the title and the sorted labels, JSON-encoded so no two inputs collide by concatenation. */
export function labelsFingerprint(title: string, labels: Readonly<Record<string, string>>): string {
  return sha256Hex(JSON.stringify([title, canonicalLabels(labels)]));
}

/** Zod issues as body issues, with their paths under `prefix`. */
export function issuesFromZod(error: z.ZodError, prefix: (string | number)[] = []): BodyIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
    message: issue.message,
  }));
}

/** An Alert built by a kind, with the body path it came from (where to report it if it breaks the Alert schema). */
export interface AlertCandidate {
  alert: Alert;
  path: (string | number)[];
}

/**
 * Validates built Alerts against the shared schema so every kind hands out only valid Alerts; a failure (for example a
 * configured source name that is too long) becomes an issue under the candidate's path.
 */
export function finaliseAlerts(candidates: readonly AlertCandidate[]): NormaliseResult {
  const alerts: Alert[] = [];
  const issues: BodyIssue[] = [];
  for (const { alert, path } of candidates) {
    // Kinds fill optional fields with undefined; drop those keys so the Alert carries only what the sender said.
    const parsed = Alert.safeParse(Object.fromEntries(Object.entries(alert).filter(([, v]) => v !== undefined)));
    if (parsed.success) alerts.push(parsed.data);
    else issues.push(...issuesFromZod(parsed.error, path));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, alerts };
}
