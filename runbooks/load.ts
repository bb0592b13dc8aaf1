import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunbookIssue } from './issues';
import { newStepWalk, normaliseSteps, pushZodIssues, type Path } from './normalise';
import { AuthoringHeader } from './schema/authoring';
import { normaliseRequires } from './schema/requires';
import { PinnedRunbook, Runbook } from './schema/runbook';
import { anyKebabCaseClock, checkReferences } from './validate/references';
import { checkLibrary, type FileIssue, type LibraryEntry } from './validate/library';
import { checkRequirements } from './validate/requirements';
import { DEFAULT_YAML_LIMITS, parseYamlSource, type YamlLimits } from './yaml-source';

export type { FileIssue } from './validate/library';

export interface LoadOptions {
  /** Deadline-clock ids runbooks may use; default: any kebab-case id. */
  clockIds?: readonly string[];
  limits?: Partial<YamlLimits>;
}

/** A loaded runbook, or every problem in the file (each with path, and line and column where the file has them). */
export type LoadResult = { ok: true; pinned: PinnedRunbook } | { ok: false; issues: RunbookIssue[] };

type LoadedSource = { ok: true; entry: LibraryEntry; pinned: PinnedRunbook } | { ok: false; issues: RunbookIssue[] };

/**
 * Loads one runbook from its exact bytes (a string is hashed as UTF-8). `sha256` identifies those
 * bytes, so an incident pinned to it can prove which text it ran. Never throws for a bad runbook.
 */
export function loadRunbookText(text: string | Uint8Array, file: string, options: LoadOptions = {}): LoadResult {
  const loaded = loadSource(text, file, options);
  return loaded.ok ? { ok: true, pinned: loaded.pinned } : loaded;
}

/** Reads and loads one file; a file over the size limit is refused without reading it. */
export async function loadRunbookFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const tooLarge = await sizeIssue(path, options);
  if (tooLarge) return { ok: false, issues: [tooLarge] };
  return loadRunbookText(await readFile(path), path, options);
}

export interface LibraryLoad {
  /** Runbooks with no problems at all, in file-name order. */
  runbooks: PinnedRunbook[];
  /** Every problem in every file, including the checks across files. */
  issues: FileIssue[];
}

/** Loads every `*.yaml` / `*.yml` in a directory (not recursive) and checks them against each other. */
export async function loadRunbookLibrary(dir: string, options: LoadOptions = {}): Promise<LibraryLoad> {
  return loadRunbooks([dir], options);
}

/** Like loadRunbookLibrary, for any mix of files and directories: all of them are checked together. */
export async function loadRunbooks(paths: readonly string[], options: LoadOptions = {}): Promise<LibraryLoad> {
  const issues: FileIssue[] = [];
  const loaded: { entry: LibraryEntry; pinned: PinnedRunbook }[] = [];
  for (const file of await expandPaths(paths)) {
    const tooLarge = await sizeIssue(file, options);
    const result = tooLarge ? { ok: false as const, issues: [tooLarge] } : loadSource(await readFile(file), file, options);
    if (result.ok) loaded.push(result);
    else issues.push(...result.issues.map((issue) => ({ file, issue })));
  }
  const libraryIssues = checkLibrary(loaded.map(({ entry }) => entry));
  issues.push(...libraryIssues);
  const broken = new Set(libraryIssues.map(({ file }) => file));
  return { runbooks: loaded.filter(({ entry }) => !broken.has(entry.file)).map(({ pinned }) => pinned), issues };
}

async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((name) => /\.ya?ml$/.test(name)).sort();
      files.push(...names.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

async function sizeIssue(path: string, options: LoadOptions): Promise<RunbookIssue | undefined> {
  const maxBytes = options.limits?.maxBytes ?? DEFAULT_YAML_LIMITS.maxBytes;
  const { size } = await stat(path);
  return size > maxBytes ? { code: 'yaml.too_large', message: `the file is ${size} bytes; the limit is ${maxBytes}`, path: [] } : undefined;
}

function loadSource(input: string | Uint8Array, file: string, options: LoadOptions): LoadedSource {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return { ok: false, issues: [{ code: 'yaml.encoding', message: 'runbooks are UTF-8 text', path: [] }] };
  }
  const source = parseYamlSource(text, bytes.byteLength, { ...DEFAULT_YAML_LIMITS, ...options.limits });
  if (!source.ok) return source;

  const issues: RunbookIssue[] = [];
  const value = source.value;
  const header = AuthoringHeader.safeParse(value);
  if (!header.success) pushZodIssues(header.error, [], { issues });
  const fields = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const walk = newStepWalk();
  const steps = Array.isArray(fields.steps) ? normaliseSteps(fields.steps, ['steps'], walk) : [];
  issues.push(...walk.issues);
  const roles = fields.roles !== null && typeof fields.roles === 'object' ? Object.keys(fields.roles) : [];
  const clockIds = options.clockIds ? new Set(options.clockIds) : undefined;
  issues.push(
    ...checkReferences(walk, {
      roles: new Set(roles),
      isKnownClock: clockIds ? (clock) => clockIds.has(clock) : anyKebabCaseClock,
      match: typeof fields.match === 'string' ? fields.match : undefined,
    }),
  );

  const requires = header.success && header.data.requires ? normaliseRequires(header.data.requires, roles) : undefined;
  if (requires) {
    issues.push(...checkRequirements(walk, requires));
    const labels = header.data?.requires?.labels ?? [];
    labels.forEach((entry, index) => {
      if (typeof entry === 'object' && entry.role && !roles.includes(entry.role)) {
        issues.push({ code: 'step.unknown_role', message: `role "${entry.role}" is not declared under roles`, path: ['requires', 'labels', index, 'role'] });
      }
    });
  }

  if (issues.length === 0 && header.success) {
    const runbook = Runbook.safeParse({ ...header.data, requires, steps });
    // The walk above should make this unreachable; if the two schemas ever drift, say where.
    if (!runbook.success) pushZodIssues(runbook.error, [], { issues });
    else {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const pinned = PinnedRunbook.parse({ runbook: runbook.data, sha256, file });
      return { ok: true, pinned, entry: { file, runbook: runbook.data, children: walk.children, locate: source.locate } };
    }
  }
  return { ok: false, issues: locateAll(issues, source.locate) };
}

function locateAll(issues: RunbookIssue[], locate: (path: Path) => { line: number; column: number } | undefined): RunbookIssue[] {
  return issues
    .map((issue) => ({ ...issue, ...locate(issue.path) }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
