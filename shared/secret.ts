import { inspect } from 'node:util';

/**
 * A secret value that refuses to be printed: `toString`, `toJSON` and `util.inspect` all give `[redacted]`.
 * Callers unwrap it with `reveal()` on the exact line where a library needs the raw value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
