import { z } from 'zod';
import { AuditEntry } from './record';

/**
 * `AuditEntry` for the common case, compiled ahead (`z.compile`): `data` made of plain JSON (strings, finite numbers,
 * booleans, null, arrays, plain objects with enumerable string keys) is checked by one walk instead of the recursive
 * `z.json()`, which cannot be compiled and cost most of an append's parse. It accepts only entries `AuditEntry` accepts,
 * with the same output except that nested values in `data` are the caller's, not copies: an entry it refuses must be
 * parsed by `AuditEntry`, which then gives the answer and the issues.
 */
export const PlainAuditEntry = z.compile(AuditEntry.extend({ data: z.record(z.string(), z.custom<z.core.util.JSONType>(isPlainJson, 'a JSON value')).default({}) }));

/** Whether `z.json()` accepts `value` and would output an equal value: anything unusual says no (the full parse decides). */
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || (value as { constructor?: unknown }).constructor !== Object) return false;
      // Every own key, as `z.record` reads them: a symbol, a hidden key or `__proto__` is left to the full parse.
      for (const key of Reflect.ownKeys(value)) {
        if (typeof key !== 'string' || key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(value, key)) return false;
        if (!isPlainJson((value as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
