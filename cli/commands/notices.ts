import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { CatalogueValidationError } from '../../obligations/issues';
import { formatIssue } from '../../shared/source-issue';
import { BUNDLED_CATALOGUE_PATH, loadCatalogueFile } from '../../obligations/load';
import { Audience, BUNDLED_NOTICES_DIR, findNotice, formatNoticeIssue, loadNoticeLibrary, type NoticeLibrary, type NoticeTemplate } from '../../obligations/notices';
import { renderTemplate, templateVariables } from '../../runbooks/template';

/*
 * Runbooks do not reference notice templates by name: a pinned runbook's SHA-256 must prove the exact text an incident
 * sends, so an author copies the template's subject and body into the `notify.email` step (`show --yaml` prints them
 * ready to paste) and the notice test keeps the template itself complete against the catalogue.
 */

export interface NoticesIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: NoticesIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

// The roots an incident's status can fill; `config` and `alert` are left as written (the worker fills them at send time).
const STATUS_ROOTS = ['incident', 'answers', 'steps'];

interface LibraryFlags {
  dir: string;
  catalogue: string;
}

function loadLibrary(command: Command, flags: LibraryFlags): NoticeLibrary {
  let catalogue;
  try {
    catalogue = loadCatalogueFile(flags.catalogue);
  } catch (error) {
    if (error instanceof CatalogueValidationError) command.error(error.issues.map((issue) => formatIssue(flags.catalogue, issue)).join('\n'), { code: error.code });
    throw error;
  }
  const library = loadNoticeLibrary(catalogue, flags.dir);
  if (library.issues.length > 0) command.error(library.issues.map(({ file, issue }) => formatNoticeIssue(file, issue)).join('\n'), { code: 'notices.invalid' });
  return library;
}

/** The template scope of an incident as `firebreak incident <id> --json` prints it (the same roots the workflow fills). */
export function scopeFromStatus(status: Record<string, unknown>): Record<string, unknown> {
  const steps = Array.isArray(status.steps) ? (status.steps as { id: string; result?: unknown }[]) : [];
  return {
    incident: { id: status.incidentId, title: status.title, severity: status.severity, openedAt: status.openedAt, openedBy: status.openedBy },
    answers: status.answers ?? {},
    steps: Object.fromEntries(steps.filter((s) => s.result !== undefined).map((s) => [s.id, s.result])),
  };
}

function valueAt(scope: unknown, path: readonly string[]): unknown {
  let current = scope;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Placeholders under the status roots that the incident has no value for: legal must see what is still blank. */
function unfilled(notice: NoticeTemplate, scope: Record<string, unknown>): string[] {
  const names = [...templateVariables(notice.subject), ...templateVariables(notice.body)]
    .filter((path) => STATUS_ROOTS.includes(path[0] ?? '') && (valueAt(scope, path) ?? null) === null)
    .map((path) => path.join('.'));
  return [...new Set(names)];
}

interface ShowFlags extends LibraryFlags {
  render?: boolean;
  incidentJson?: string;
  yaml?: boolean;
}

/** Adds `notices list [--json]` and `notices show <obligation> <audience> [--yaml] [--render --incident-json F]`. */
export function registerNoticesCommands(program: Command, io: NoticesIo = stdio): void {
  const notices = program.command('notices').description('disclosure notice templates per obligation and audience');
  const libraryOptions = (command: Command) =>
    command.option('--dir <dir>', 'notice template directory', BUNDLED_NOTICES_DIR).option('--catalogue <file>', 'obligations catalogue', BUNDLED_CATALOGUE_PATH);

  libraryOptions(notices.command('list').description('list the notice templates').option('--json', 'print them as JSON')).action(function (this: Command, flags: LibraryFlags & { json?: boolean }) {
    const library = loadLibrary(this, flags);
    if (flags.json) {
      io.out(`${JSON.stringify({ notices: library.notices.map(({ body: _body, ...rest }) => rest) }, null, 2)}\n`);
      return;
    }
    const width = Math.max(0, ...library.notices.map((n) => n.obligation.length + n.audience.length + 1));
    io.out(`${library.notices.map((n) => `${`${n.obligation} ${n.audience}`.padEnd(width)}  ${n.subject}`).join('\n')}\n`);
  });

  libraryOptions(
    notices
      .command('show')
      .description("print a notice template's subject and body; --yaml prints them as a notify.email step's fields")
      .argument('<obligation>', `obligation id, e.g. gdpr-art33-sa (or generic)`)
      .argument('<audience>', Audience.options.join(' | '))
      .option('--yaml', 'print `subject:` and `body:` ready to paste under a step\'s `with:`')
      .option('--render', 'fill the placeholders from an incident (needs --incident-json)')
      .option('--incident-json <file>', 'the output of `firebreak incident <id> --json`'),
  ).action(function (this: Command, obligation: string, audienceName: string, flags: ShowFlags) {
    const audience = Audience.safeParse(audienceName);
    if (!audience.success) this.error(`"${audienceName}" is not an audience (${Audience.options.join(', ')})`, { code: 'notice.unknown_audience' });
    if (flags.render && !flags.incidentJson) this.error('--render needs --incident-json <file>', { code: 'notice.render_needs_incident' });
    const notice = findNotice(loadLibrary(this, flags), obligation, audience.data);
    if (!notice) this.error(`no ${audience.data} notice for "${obligation}"; see \`firebreak notices list\``, { code: 'notice.not_found' });
    let { subject, body } = notice;
    if (flags.render) {
      const scope = scopeFromStatus(JSON.parse(readFileSync(flags.incidentJson!, 'utf8')) as Record<string, unknown>);
      const blanks = unfilled(notice, scope);
      if (blanks.length > 0) io.err(`not yet known (rendered empty): ${blanks.join(', ')}\n`);
      subject = renderTemplate(subject, scope, { only: STATUS_ROOTS, missing: 'empty' });
      body = renderTemplate(body, scope, { only: STATUS_ROOTS, missing: 'empty' });
    }
    if (flags.yaml) io.out(toYaml({ subject, body }, { lineWidth: 0, blockQuote: 'literal' }));
    else io.out(`Subject: ${subject}\n${notice.attachments.length > 0 ? `Attachments: ${notice.attachments.join(', ')}\n` : ''}\n${body}`);
  });
}
