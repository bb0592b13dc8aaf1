import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { ApplicationFailure, log } from '@temporalio/activity';
import { EvidenceError, type EvidenceItem, type EvidenceStore, type Handler } from '../../evidence';
import { FailureType } from '../../workflows/failure-types';
import type { EvidenceAccess } from './attachments';

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

/** The evidence reference of a list: its sha256 (what `evidence.capture` returns) or its evidence id. */
const EVIDENCE_REF = /^evidence:([0-9a-f]{64}|ev-[0-9a-f]{32})$/;
const FILE_REF = /^file:([A-Za-z0-9][A-Za-z0-9._-]*)$/;

const unreadable: RecipientsResult = { ok: false, issues: [{ row: 0, field: 'recipients', code: 'recipients.unreadable' }] };

/** What the batch reads as it: Firebreak itself, the same actor that reads a notice's attachments. */
const WORKER: Handler = { kind: 'system', id: 'firebreak-worker' };

export interface RecipientsAccess {
  dataDir: string;
  /** Where `evidence:` lists are read from; without it they are unreadable. */
  evidence?: EvidenceAccess;
}

/** The incident's item a reference names; several items with the same bytes are one list, the newest carries the trail. */
async function listItem(store: EvidenceStore, incidentId: string, ref: string): Promise<EvidenceItem | undefined> {
  const items = await store.listEvidence(incidentId);
  return items.filter((item) => item.sha256 === ref || item.evidenceId === ref).pop();
}

/**
 * Reads and parses a list. `evidence:<sha256>` or `evidence:<evidence id>` is one of the incident's evidence items,
 * read through the store: its hash is re-verified and a `viewed` custody event records `purpose` (which must name the
 * step, never the people on the list). `file:<name>` is a file under `<dataDir>/recipients/`; names cannot climb out
 * of their folder. A list that does not resolve is `recipients.unreadable`. Throws `evidence.tampered`, non-retryable,
 * when the stored bytes changed; a store that cannot be reached throws as it is, so the attempt is retried.
 */
export async function readRecipients(reference: string, access: RecipientsAccess, incidentId: string, purpose: string): Promise<RecipientsResult> {
  const file = FILE_REF.exec(reference);
  if (file && !file[1]!.includes('..')) {
    const location = path.join(access.dataDir, 'recipients', file[1]!);
    return existsSync(location) ? parseRecipients(readFileSync(location, 'utf8')) : unreadable;
  }
  const evidence = EVIDENCE_REF.exec(reference);
  if (!evidence || !access.evidence) return unreadable;
  const store = await access.evidence();
  const item = await listItem(store, incidentId, evidence[1]!);
  if (!item) return unreadable;
  try {
    return parseRecipients(await text(await store.open(item.evidenceId, WORKER, purpose)));
  } catch (error) {
    if (!(error instanceof EvidenceError && error.code === 'evidence.tampered')) throw error;
    // The store has already put `tamper-detected` on the item's trail (and so into the audit log); this makes it loud.
    log.error('affected-recipients list tampered: stored bytes no longer match their hash', { incidentId, evidenceId: item.evidenceId });
    throw ApplicationFailure.create({
      type: FailureType.EvidenceTampered,
      message: `affected-recipients list ${item.evidenceId} no longer matches its recorded sha256 ${item.sha256}: no notice goes out from it`,
      nonRetryable: true,
      details: [{ evidenceId: item.evidenceId, sha256: item.sha256 }],
    });
  }
}
