import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/*
 * The bench starts servers that outlive it unless stopped: the embedded dev server is spawned detached (its own
 * process group, so Ctrl-C in a terminal does not reach it first) and the time-skipping environment's server is a
 * child of the SDK's native code. A `finally` block runs on neither SIGINT nor SIGTERM, so the runner stops everything
 * it started from here: first the registered graceful stops, then every process still descending from this one, by
 * process group where the descendant leads one.
 */

type Stop = () => Promise<void>;

const stops: Stop[] = [];
let exiting = false;

/** Registers a graceful stop, run (most recent first) before the process exits, however it exits. */
export function stopOnExit(stop: Stop): void {
  stops.push(stop);
}

/** Processes descending from `root` (not `root` itself), with their process group ids. */
export function descendants(root: number = process.pid): { pid: number; pgid: number }[] {
  const table = processTable();
  const children = new Map<number, { pid: number; pgid: number }[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: { pid: number; pgid: number }[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

function processTable(): { pid: number; ppid: number; pgid: number }[] {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
      try {
        // Fields after the parenthesised command name: state ppid pgrp ...
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const [, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(d), ppid: Number(ppid), pgid: Number(pgid) }];
      } catch {
        return []; // exited while we looked
      }
    });
  } catch {
    const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,pgid='], { encoding: 'utf8' });
    return ps.stdout.split('\n').filter((l) => l.trim()).map((l) => {
      const [pid, ppid, pgid] = l.trim().split(/\s+/).map(Number);
      return { pid: pid!, ppid: ppid!, pgid: pgid! };
    });
  }
}

/** Sends `signal` to every descendant; a descendant that leads its own process group gets it group-wide. */
export function signalDescendants(signal: NodeJS.Signals): number {
  const found = descendants();
  for (const { pid, pgid } of found) {
    try {
      process.kill(pgid === pid ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }
  return found.length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the registered stops (bounded by `graceMs`), then TERM and finally KILL for whatever still descends from us. */
export async function stopEverything(graceMs = 15_000): Promise<void> {
  const graceful = (async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((e) => console.error('[bench] stop failed:', e));
  })();
  await Promise.race([graceful, sleep(graceMs)]);
  if (signalDescendants('SIGTERM') === 0) return;
  for (let waited = 0; waited < 5_000 && descendants().length; waited += 100) await sleep(100);
  signalDescendants('SIGKILL');
}

/** Stops everything and exits with `code`; a second call (e.g. Ctrl-C twice) kills at once. */
export async function exitAfterCleanup(code: number): Promise<never> {
  if (exiting) {
    signalDescendants('SIGKILL');
    process.exit(code);
  }
  exiting = true;
  await stopEverything();
  process.exit(code);
}

/** SIGINT, SIGTERM, SIGHUP and uncaught exceptions stop what the bench started before the process goes. */
export function installCleanupHandlers(): void {
  const codes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      process.stderr.write(`[bench] ${signal}: stopping the servers this run started\n`);
      void exitAfterCleanup(code);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    void exitAfterCleanup(1);
  });
  // A benchmark's own failure rejects its promise and ends the run; a stray retry of a client already closed (a call
  // abandoned at its deadline) must not throw away the benchmarks measured so far.
  process.on('unhandledRejection', (error) => process.stderr.write(`[bench] ignored a stray rejection: ${(error as Error)?.message ?? String(error)}\n`));
  // Last resort when something calls process.exit directly: no time for graceful stops, but nothing is left behind.
  process.on('exit', () => signalDescendants('SIGKILL'));
}
