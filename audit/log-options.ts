import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from './checkpoint';

/** Receives every checkpoint after it is durably written, to ship it off the machine (email, Slack, WORM bucket). */
export type CheckpointSink = (checkpoint: Checkpoint) => Promise<void> | void;

export interface AuditLogOptions {
  /** Names this log in checkpoints, e.g. `firebreak.example.com/audit`. One line, stable for the log's life. */
  origin: string;
  /** Ed25519 private key. Without it no checkpoints are written and `checkpoint()` throws `audit.no_signing_key`. */
  signingKey?: KeyObject;
  /** Name on the checkpoint signature line; defaults to `origin`. */
  keyName?: string;
  /** Write a checkpoint once this many records were appended since the last one (default 1000). */
  checkpointEvery?: number;
  /** ...or when an append finds this much time passed since the last one (default 5 minutes). */
  checkpointIntervalMs?: number;
  sink?: CheckpointSink;
  /** Called when the sink fails for an automatic checkpoint; defaults to a process warning. */
  onSinkError?: (err: unknown, checkpoint: Checkpoint) => void;
  /** Largest stored line in bytes (default 64 KiB); `data` is meant to be small. */
  maxRecordBytes?: number;
  lockTimeoutMs?: number;
  /** Keep the cross-process lock this long after an append, for the next one (default 10 ms; 0: release every time). */
  lockLeaseMs?: number;
  now?: () => Date;
}
