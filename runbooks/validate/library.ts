import type { RunbookIssue } from '../issues';
import type { Path } from '../normalise';
import type { Runbook } from '../schema/runbook';
import type { Locate } from '../yaml-source';

/** One runbook that loaded on its own, with what the cross-file checks need. */
export interface LibraryEntry {
  file: string;
  runbook: Runbook;
  children: { runbook: string; path: Path }[];
  locate: Locate;
}

/** An issue together with the file it is in. */
export interface FileIssue {
  file: string;
  issue: RunbookIssue;
}

/**
 * Checks across runbook files: two files with one id, child runbooks that do not exist, and child
 * runbooks that (through any chain) run their parent again. Entries are checked in the given order;
 * the later file of a duplicate pair gets the issue.
 */
export function checkLibrary(entries: readonly LibraryEntry[]): FileIssue[] {
  const issues: FileIssue[] = [];
  const report = (entry: LibraryEntry, issue: Omit<RunbookIssue, 'line' | 'column'>) =>
    issues.push({ file: entry.file, issue: { ...issue, ...entry.locate(issue.path) } });

  const byId = new Map<string, LibraryEntry>();
  for (const entry of entries) {
    const first = byId.get(entry.runbook.id);
    if (first) report(entry, { code: 'runbook.duplicate_id', message: `runbook id "${entry.runbook.id}" is also used by ${first.file}`, path: ['id'] });
    else byId.set(entry.runbook.id, entry);
  }

  const childrenOf = (id: string) => byId.get(id)?.children.map((child) => child.runbook) ?? [];
  for (const entry of byId.values()) {
    for (const child of entry.children) {
      if (!byId.has(child.runbook)) {
        report(entry, { code: 'runbook.unknown_child', message: `no runbook in the library has id "${child.runbook}"`, path: child.path });
        continue;
      }
      const back = findPath(child.runbook, entry.runbook.id, childrenOf);
      if (back) report(entry, { code: 'runbook.cycle', message: `child runbooks loop: ${[entry.runbook.id, ...back].join(' → ')}`, path: child.path });
    }
  }
  return issues;
}

/** A chain of child runbooks from `from` to `to` (both included), if there is one. */
function findPath(from: string, to: string, childrenOf: (id: string) => string[]): string[] | undefined {
  const seen = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (id === to) return [id];
    if (seen.has(id)) return undefined;
    seen.add(id);
    for (const child of childrenOf(id)) {
      const rest = visit(child);
      if (rest) return [id, ...rest];
    }
    return undefined;
  };
  return visit(from);
}
