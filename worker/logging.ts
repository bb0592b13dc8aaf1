import pino, { type Logger } from 'pino';

export type { Logger };

const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|signature|api[-_]?key/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const KNOWN_SECRET_SHAPES = /\b(whsec_[A-Za-z0-9+/=]+|fbk_[A-Za-z0-9_-]+|xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)/g;

function scrubText(text: string): string {
  return text.replace(BEARER, '$1 [redacted]').replace(KNOWN_SECRET_SHAPES, '[redacted]');
}

/** Deep copy with secret-looking keys and bearer strings redacted. Values that are `Secret` print themselves redacted. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: scrubText(value.message), code: (value as { code?: unknown }).code };
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact((value as { toJSON(): unknown }).toJSON(), depth + 1);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1);
    return out;
  }
  return value;
}

/**
 * The one JSON sink every component logs to (worker, Temporal runtime, HTTP service). Redaction happens here,
 * so a careless field can't leak a token into a log file.
 */
export function createLogger(level: string = process.env.FIREBREAK_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'firebreak' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
