import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { matchRunbook } from '../runbooks/cel';
import { formatIssue } from '../shared/source-issue';
import { loadRunbookLibrary } from '../runbooks/load';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import type { Logger } from '../shared/logger';

export interface RunbookCatalogOptions {
  /** How long one look at the directory serves: a look stats every runbook file, the ingress's largest cost per alert. */
  checkEveryMs?: number;
  /** Milliseconds; injectable so tests need not sleep. */
  clock?: () => number;
}

/**
 * The runbook library as incidents start from it. It reloads when a file changes, so a new incident gets the edited
 * runbook within `checkEveryMs` (1 s) of the edit, while incidents already running keep the document (and hash) they
 * were pinned to.
 */
export class RunbookCatalog {
  private loaded: PinnedRunbook[] = [];
  private signature = '';
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking?: Promise<PinnedRunbook[]>;
  private readonly checkEveryMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    options: RunbookCatalogOptions = {},
  ) {
    this.checkEveryMs = options.checkEveryMs ?? 1000;
    this.clock = options.clock ?? Date.now;
  }

  private async currentSignature(): Promise<string> {
    const names = (await readdir(this.dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    const stamps = await Promise.all(names.map(async (n) => `${n}:${(await stat(path.join(this.dir, n))).mtimeMs}`));
    return stamps.join('|');
  }

  private async refresh(): Promise<PinnedRunbook[]> {
    // Stamped with when the look began: an edit made during it is still caught by the next look, within checkEveryMs.
    const startedAt = this.clock();
    const signature = await this.currentSignature();
    if (signature !== this.signature) {
      const library = await loadRunbookLibrary(this.dir);
      for (const { file, issue } of library.issues) this.log.error({ code: issue.code }, `runbook refused: ${formatIssue(path.relative(process.cwd(), file), issue)}`);
      this.loaded = library.runbooks;
      this.signature = signature;
      this.log.info({ runbooks: this.loaded.map((p) => `${p.runbook.id}@${p.runbook.version}`) }, 'runbook library loaded');
    }
    this.checkedAt = startedAt;
    return this.loaded;
  }

  /**
   * The library as of at most `checkEveryMs` ago. Concurrent callers share one look; a look that fails (the
   * directory is gone) rejects its callers and the next call looks again.
   */
  runbooks(): Promise<PinnedRunbook[]> {
    if (this.clock() - this.checkedAt < this.checkEveryMs) return Promise.resolve(this.loaded);
    this.checking ??= this.refresh().finally(() => (this.checking = undefined));
    return this.checking;
  }

  async byId(id: string): Promise<PinnedRunbook | undefined> {
    return (await this.runbooks()).find((p) => p.runbook.id === id);
  }

  async match(alert: Alert): Promise<PinnedRunbook | undefined> {
    return matchRunbook(alert, await this.runbooks());
  }

  /** Child runbooks a runbook names (transitively), pinned now with the parent. */
  async childrenOf(pinned: PinnedRunbook): Promise<Record<string, PinnedRunbook>> {
    const all = await this.runbooks();
    const children: Record<string, PinnedRunbook> = {};
    const visit = (steps: unknown): void => {
      for (const step of Array.isArray(steps) ? steps : []) {
        const s = step as { kind: string; runbook?: string; steps?: unknown; otherwise?: unknown; branches?: unknown[] };
        if (s.kind === 'runbook' && s.runbook && !children[s.runbook]) {
          const child = all.find((p) => p.runbook.id === s.runbook);
          if (child) {
            children[s.runbook] = child;
            visit(child.runbook.steps);
          }
        }
        visit(s.steps);
        visit(s.otherwise);
        for (const branch of s.branches ?? []) visit(branch);
      }
    };
    visit(pinned.runbook.steps);
    return children;
  }
}
