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
 * process. Both HTTP sides of a bench (Firebreak and the bare HTTP service) are driven by it alike.
 */
export class HttpSender {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly child: ChildProcess) {}

  static start(): HttpSender {
    // execArgv carries tsx's loader, so the child runs the TypeScript source as this process does.
    return new HttpSender(fork(require.resolve('./http-sender-process'), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /**
   * Hands `round` to the sender process and resolves with `go`, which sends it and resolves with its figures: time and
   * CPU measured around `go` leave out the handing over. One round at a time: load the next after this one's `go`.
   */
  async load(round: SenderRound): Promise<{ go: () => Promise<SenderStretch> }> {
    await this.exchange(round);
    let sent: Promise<SenderStretch> | undefined;
    return { go: () => (sent ??= this.exchange('go')) };
  }

  /** `load` then `go`. */
  async send(round: SenderRound): Promise<SenderStretch> {
    return (await this.load(round)).go();
  }

  /** One message to the sender process and its answer; one exchange at a time. */
  private exchange<T>(message: SenderRound | 'go'): Promise<T> {
    const answer = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          const exited = (code: number | null) => reject(new Error(`bench sender exited with ${code}`));
          this.child.once('exit', exited);
          this.child.once('message', (reply: T) => {
            this.child.off('exit', exited);
            resolve(reply);
          });
          this.child.send(message);
        }),
    );
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
