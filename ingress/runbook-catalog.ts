import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { matchRunbook } from '../runbooks/cel';
import { formatIssue } from '../runbooks/issues';
import { loadRunbookLibrary } from '../runbooks/load';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import type { Logger } from '../worker/logging';

/**
 * The runbook library as incidents start from it. It reloads when a file changes, so a new incident gets the edited
 * runbook, while incidents already running keep the document (and hash) they were pinned to.
 */
export class RunbookCatalog {
  private loaded: PinnedRunbook[] = [];
  private signature = '';

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  private async currentSignature(): Promise<string> {
    const names = (await readdir(this.dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
    const stamps = await Promise.all(names.map(async (n) => `${n}:${(await stat(path.join(this.dir, n))).mtimeMs}`));
    return stamps.join('|');
  }

  async runbooks(): Promise<PinnedRunbook[]> {
    const signature = await this.currentSignature();
    if (signature !== this.signature) {
      const library = await loadRunbookLibrary(this.dir);
      for (const { file, issue } of library.issues) this.log.error({ code: issue.code }, `runbook refused: ${formatIssue(path.relative(process.cwd(), file), issue)}`);
      this.loaded = library.runbooks;
      this.signature = signature;
      this.log.info({ runbooks: this.loaded.map((p) => `${p.runbook.id}@${p.runbook.version}`) }, 'runbook library loaded');
    }
    return this.loaded;
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
