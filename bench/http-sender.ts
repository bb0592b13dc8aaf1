import { type ChildProcess, fork } from 'node:child_process';

/** One POST the sender makes, prepared (signed) before the round's clock starts. */
export interface SenderRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SenderRound {
  requests: SenderRequest[];
  concurrency: number;
  /** Any other status counts as a failure. */
  expectStatus: number;
}

/** Latencies (ms) of the requests answered with the expected status, and the round's wall time. */
export interface SenderStretch {
  latencies: number[];
  failures: number;
  firstFailure?: string;
  seconds: number;
}

/**
 * The HTTP benches' load generator in its own process. In the measured process its fetch cost 0.74-1.5 ms of CPU per
 * alert (session 5's profile), about the whole bare path: a real sender is another machine, or at least another
 * process. Both HTTP sides of a bench (Firebreak and the bare HTTP service) are driven by it alike. Rounds run one at
 * a time.
 */
export class HttpSender {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly child: ChildProcess) {}

  static start(): HttpSender {
    // execArgv carries tsx's loader, so the child runs the TypeScript source as this process does.
    return new HttpSender(fork(require.resolve('./http-sender-process'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  send(round: SenderRound): Promise<SenderStretch> {
    const result = this.queue.then(
      () =>
        new Promise<SenderStretch>((resolve, reject) => {
          const exited = (code: number | null) => reject(new Error(`bench sender exited with ${code}`));
          this.child.once('exit', exited);
          this.child.once('message', (stretch: SenderStretch) => {
            this.child.off('exit', exited);
            resolve(stretch);
          });
          this.child.send(round);
        }),
    );
    this.queue = result.catch(() => undefined);
    return result;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
