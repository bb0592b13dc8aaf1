import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';

/**
 * How often every running activity tells Temporal it is alive. Workflows give actions a 10 s heartbeat timeout
 * (workflows/activity-liveness.ts), so a step whose worker was killed is retried on another worker
 * within seconds instead of after the step's whole start-to-close timeout. The SDK throttles what reaches the server
 * to 80% of the heartbeat timeout; beating more often than that only keeps the throttle fed.
 */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Heartbeats every activity while it runs, carrying the last details the activity itself gave (an email batch's
 * position), so a beat from here never overwrites the activity's own progress checkpoint with nothing.
 */
export function heartbeatInterceptor(everyMs = HEARTBEAT_EVERY_MS): ActivityInterceptorsFactory {
  return (ctx: Context) => ({ inbound: new KeepAlive(ctx, everyMs) });
}

class KeepAlive implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly everyMs: number,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const ctx = this.ctx;
    let last: unknown = ctx.info.heartbeatDetails;
    const own = ctx.heartbeat;
    // `heartbeat` is an instance field of this activity's own Context (typed readonly for activity code): wrapping it
    // here sees every beat the activity sends, whether it calls ctx.heartbeat or the module-level heartbeat().
    (ctx as { heartbeat: Context['heartbeat'] }).heartbeat = (details?: unknown) => {
      last = details;
      own(details);
    };
    const timer = setInterval(() => own(last), this.everyMs);
    try {
      return await next(input);
    } finally {
      clearInterval(timer);
    }
  }
}
