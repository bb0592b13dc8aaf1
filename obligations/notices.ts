import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isMap } from 'yaml';
import { type SourceIssue, parseLocatedYaml } from '../shared/source-issue';
import { z } from 'zod';
import { TEMPLATE_ROOTS, TemplateSyntaxError, templateVariables } from '../runbooks/template';
import { ObligationId, StageId, type Catalogue, type Obligation } from './schema';

/*
 * Notice templates: `notices/<obligation-id>.<audience>.md`, YAML front matter then the body in runbook template
 * syntax. A template is checked against the catalogue when it loads, so a notice can never silently omit content the
 * law requires: every required item must be claimed by a placeholder or a section heading that is really there.
 */

/** Where the shipped notice templates live. */
export const BUNDLED_NOTICES_DIR = join(__dirname, 'notices');

/** Not a catalogue obligation: a notice sent for no legal duty (e.g. to customers under a contract or by choice). */
export const GENERIC_NOTICE = 'generic';

export const Audience = z.enum(['regulator', 'individuals', 'customers', 'public']);
export type Audience = z.infer<typeof Audience>;

/** `{{answers.x}}` (a placeholder in the subject or body) or `## Heading` (a section heading line in the body). */
const Coverage = z.string().regex(/^(\{\{[^{}]+\}\}|#{1,6} \S.*)$/, 'expected a {{placeholder}} or a "## Heading" of the body');

export const NoticeFrontMatter = z.strictObject({
  obligation: ObligationId,
  audience: Audience,
  subject: z.string().min(1),
  /** Which stages' content this notice carries besides the obligation's own; default: every stage. */
  stages: z.array(StageId).min(1).optional(),
  /** Required content item (the catalogue's exact text) → where the notice carries it. */
  covers: z.array(z.strictObject({ item: z.string().min(1), by: z.array(Coverage).min(1) })).default([]),
  /** Evidence names (as `evidence.capture` stores them) to attach when the notice is sent. */
  attachments: z.array(z.string().min(1)).default([]),
});
export type NoticeFrontMatter = z.infer<typeof NoticeFrontMatter>;

export interface NoticeTemplate extends NoticeFrontMatter {
  file: string;
  body: string;
}

/**
 * Stable issue codes; released codes never change spelling.
 * - `notice.front_matter_missing`: the file does not start with a `---` front matter block.
 * - `yaml.syntax` / `schema.invalid`: the front matter is not YAML, or does not match the schema.
 * - `notice.file_name_mismatch`: the file name is not `<obligation>.<audience>.md` for its front matter.
 * - `notice.unknown_obligation` / `notice.unknown_stage`: the catalogue has no such obligation or stage.
 * - `notice.unknown_item`: `covers` names an item that is not required content of the obligation (or its stages).
 * - `notice.item_uncovered`: required content that no `covers` entry claims.
 * - `notice.coverage_absent`: a `covers` placeholder or heading does not occur in the subject or body.
 * - `template.syntax`: the subject or body has a malformed `{{...}}`.
 * - `template.unknown_root`: a placeholder reads a root runbook templates do not have.
 */
export const NOTICE_ISSUE_CODES = [
  'notice.front_matter_missing',
  'yaml.syntax',
  'schema.invalid',
  'notice.file_name_mismatch',
  'notice.unknown_obligation',
  'notice.unknown_stage',
  'notice.unknown_item',
  'notice.item_uncovered',
  'notice.coverage_absent',
  'template.syntax',
  'template.unknown_root',
] as const;
export type NoticeIssueCode = (typeof NOTICE_ISSUE_CODES)[number];

export type NoticeIssue = SourceIssue<NoticeIssueCode>;

export type NoticeParse = { ok: true; notice: NoticeTemplate } | { ok: false; issues: NoticeIssue[] };

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** The required content a notice must carry: the obligation's own, plus that of the stages it serves. */
export function requiredContent(obligation: Obligation, stages?: readonly string[]): string[] {
  const served = obligation.stages.filter((stage) => !stages || stages.includes(stage.id));
  return [...obligation.content, ...served.flatMap((stage) => stage.content)];
}

function checkTemplate(text: string, path: (string | number)[], line: (offset: number) => number): NoticeIssue[] {
  try {
    return templateVariables(text)
      .filter(([root]) => !(TEMPLATE_ROOTS as readonly string[]).includes(root ?? ''))
      .map((variable) => ({ code: 'template.unknown_root', message: `"{{${variable.join('.')}}}" reads "${variable[0]}"; templates read ${TEMPLATE_ROOTS.join(', ')}`, path, line: line(text.indexOf(variable.join('.'))) }));
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return [{ code: 'template.syntax', message: error.message, path, line: line(error.offset) }];
  }
}

function checkCoverage(front: NoticeFrontMatter, body: string, obligation: Obligation | undefined): Omit<NoticeIssue, 'line' | 'column'>[] {
  const issues: Omit<NoticeIssue, 'line' | 'column'>[] = [];
  const headings = new Set(body.split(/\r?\n/).map((line) => line.trim()));
  const text = `${front.subject}\n${body}`;
  front.covers.forEach((entry, index) => {
    entry.by.forEach((by, b) => {
      const present = by.startsWith('{{') ? text.replace(/\{\{\s*/g, '{{').replace(/\s*\}\}/g, '}}').includes(by) : headings.has(by);
      if (!present) issues.push({ code: 'notice.coverage_absent', message: `${by} does not occur in the notice`, path: ['covers', index, 'by', b] });
    });
  });
  if (!obligation) return issues;
  for (const [index, stage] of (front.stages ?? []).entries()) {
    if (!obligation.stages.some((s) => s.id === stage)) issues.push({ code: 'notice.unknown_stage', message: `${obligation.id} has no stage "${stage}"`, path: ['stages', index] });
  }
  const required = requiredContent(obligation, front.stages);
  front.covers.forEach((entry, index) => {
    if (!required.includes(entry.item)) issues.push({ code: 'notice.unknown_item', message: `"${entry.item}" is not required content of ${obligation.id}`, path: ['covers', index, 'item'] });
  });
  const claimed = new Set(front.covers.map((entry) => entry.item));
  for (const item of required) {
    if (!claimed.has(item)) issues.push({ code: 'notice.item_uncovered', message: `no placeholder or section covers "${item}"`, path: ['covers'] });
  }
  return issues;
}

/** Parses one template against the catalogue. Never throws: every problem comes back with its line. */
export function parseNotice(text: string, file: string, catalogue: Catalogue): NoticeParse {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { ok: false, issues: [{ code: 'notice.front_matter_missing', message: 'a notice starts with YAML front matter between "---" lines', path: [], line: 1, column: 1 }] };
  // The front matter starts on the line after the opening `---`.
  const { doc, errors, locate: located } = parseLocatedYaml(match[1]!, { firstLine: 2 });
  if (errors.length > 0) return { ok: false, issues: errors.map(({ message, line, column }) => ({ code: 'yaml.syntax', message, path: [], line, column })) };
  const locate = (path: (string | number)[]) => located(path) ?? { line: 1, column: 1 };
  const parsed = NoticeFrontMatter.safeParse(isMap(doc.contents) ? doc.toJS() : undefined);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        return { code: 'schema.invalid', message: issue.message, path, ...locate(path) };
      }),
    };
  }
  const front = parsed.data;
  const body = text.slice(match[0].length);
  const bodyStartLine = lineOf(text, match[0].length);
  const issues: NoticeIssue[] = [];
  const expectedName = `${front.obligation}.${front.audience}.md`;
  if (basename(file) !== expectedName) issues.push({ code: 'notice.file_name_mismatch', message: `the file for this front matter is ${expectedName}`, path: ['obligation'], ...locate(['obligation']) });
  const obligation = catalogue.obligations.find((o) => o.id === front.obligation);
  if (!obligation && front.obligation !== GENERIC_NOTICE) {
    issues.push({ code: 'notice.unknown_obligation', message: `the catalogue has no obligation "${front.obligation}"`, path: ['obligation'], ...locate(['obligation']) });
  }
  issues.push(...checkTemplate(front.subject, ['subject'], () => locate(['subject']).line!));
  issues.push(...checkTemplate(body, ['body'], (offset) => bodyStartLine + lineOf(body, offset) - 1));
  issues.push(...checkCoverage(front, body, obligation).map((issue) => ({ ...issue, ...locate(issue.path) })));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, notice: { ...front, file, body } };
}

export interface NoticeLibrary {
  notices: NoticeTemplate[];
  issues: { file: string; issue: NoticeIssue }[];
}

/** Loads every `*.md` in `dir`, in file-name order; templates with problems are left out and reported. */
export function loadNoticeLibrary(catalogue: Catalogue, dir: string = BUNDLED_NOTICES_DIR): NoticeLibrary {
  const library: NoticeLibrary = { notices: [], issues: [] };
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.md')).sort()) {
    const file = join(dir, name);
    const result = parseNotice(readFileSync(file, 'utf8'), file, catalogue);
    if (result.ok) library.notices.push(result.notice);
    else library.issues.push(...result.issues.map((issue) => ({ file, issue })));
  }
  return library;
}

/** The template for an obligation and audience, if there is one. */
export function findNotice(library: Pick<NoticeLibrary, 'notices'>, obligation: string, audience: Audience): NoticeTemplate | undefined {
  return library.notices.find((notice) => notice.obligation === obligation && notice.audience === audience);
}

/** `file:line:column code: message`, the form an author can jump to. */
export function formatNoticeIssue(file: string, issue: NoticeIssue): string {
  return `${file}:${issue.line ?? 1}:${issue.column ?? 1} ${issue.code}: ${issue.message}`;
}
