/**
 * A token bucket for one source in this process. Deliberately per replica: N HTTP replicas admit up to N × the
 * configured rate, which is the price of keeping no shared state between replicas (see DESIGN.md, Scale). Size
 * `perMinute` for one replica's share of what a sender may legitimately send.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number = perMinute,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token. Returns 0 when admitted, otherwise the whole seconds until a token is available (for Retry-After). */
  take(): number {
    const now = this.now();
    const refillPerMs = this.perMinute / 60_000;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * refillPerMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / refillPerMs / 1000));
  }
}
