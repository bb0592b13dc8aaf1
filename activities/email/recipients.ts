import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One person to notify, from an affected-recipients list. Extra columns are kept for the notice template. */
export interface Recipient {
  email: string;
  name?: string;
  fields: Record<string, string>;
}

/** A problem with one row (1-based; the CSV header is row 1, so the first person is row 2). */
export interface RecipientIssue {
  row: number;
  field: string;
  code: 'recipient.missing_email' | 'recipient.invalid_email' | 'recipient.duplicate' | 'recipient.not_an_object' | 'recipients.empty' | 'recipients.unreadable';
}

export type RecipientsResult = { ok: true; recipients: Recipient[] } | { ok: false; issues: RecipientIssue[] };

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** Splits one CSV line (RFC 4180 quoting; no newlines inside fields: a recipients list has none). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell), (cell = '');
    else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

function rowsOf(text: string): { row: number; value: unknown }[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return (JSON.parse(trimmed) as unknown[]).map((value, index) => ({ row: index + 1, value }));
  const lines = trimmed.split(/\r?\n/);
  const header = csvCells(lines[0] ?? '').map((h) => h.toLowerCase());
  return lines.slice(1).flatMap((line, index) => {
    if (line.trim() === '') return [];
    const cells = csvCells(line);
    return [{ row: index + 2, value: Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) }];
  });
}

/**
 * Parses an affected-recipients list, CSV (header row with an `email` column) or a JSON array of objects, and
 * reports every bad row at once, by row number: a list is fixed and re-uploaded, not discovered one error at a time.
 * Addresses are compared case-insensitively, so nobody appears twice.
 */
export function parseRecipients(text: string): RecipientsResult {
  let rows: { row: number; value: unknown }[];
  try {
    rows = rowsOf(text);
  } catch {
    return { ok: false, issues: [{ row: 0, field: '', code: 'recipients.unreadable' }] };
  }
  const issues: RecipientIssue[] = [];
  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  for (const { row, value } of rows) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ row, field: '', code: 'recipient.not_an_object' });
      continue;
    }
    const fields = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === undefined || v === null ? '' : String(v)]));
    const email = (fields.email ?? '').trim();
    if (email === '') issues.push({ row, field: 'email', code: 'recipient.missing_email' });
    else if (!EMAIL.test(email)) issues.push({ row, field: 'email', code: 'recipient.invalid_email' });
    else if (seen.has(email.toLowerCase())) issues.push({ row, field: 'email', code: 'recipient.duplicate' });
    else {
      seen.add(email.toLowerCase());
      recipients.push({ email, name: fields.name || undefined, fields });
    }
  }
  if (rows.length === 0) issues.push({ row: 0, field: '', code: 'recipients.empty' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, recipients };
}

/**
 * Where a list lives: `evidence:<sha256>` (an object in the evidence store, so the list itself is preserved and
 * hashed) or `file:<name>` under `<dataDir>/recipients/`. Names cannot climb out of their folder.
 */
export function recipientsPath(reference: string, dirs: { dataDir: string; evidenceDir: string }): string | undefined {
  const evidence = /^evidence:([0-9a-f]{64})$/.exec(reference);
  if (evidence) return path.join(dirs.evidenceDir, 'objects', evidence[1]!.slice(0, 2), evidence[1]!);
  const file = /^file:([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(reference);
  if (file && !file[1]!.includes('..')) return path.join(dirs.dataDir, 'recipients', file[1]!);
  return undefined;
}

export function readRecipients(reference: string, dirs: { dataDir: string; evidenceDir: string }): RecipientsResult {
  const file = recipientsPath(reference, dirs);
  if (!file || !existsSync(file)) return { ok: false, issues: [{ row: 0, field: 'recipients', code: 'recipients.unreadable' }] };
  return parseRecipients(readFileSync(file, 'utf8'));
}
