import { readFileSync } from 'node:fs';
import { Secret } from '../shared/secret';

export { Secret };

export class SecretReferenceError extends Error {
  readonly code = 'config.secret_unresolved';
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

const REFERENCE = /^(env|file):(.+)$/;

export function isSecretReference(value: string): boolean {
  return REFERENCE.test(value);
}

/**
 * Resolves `env:NAME` or `file:PATH` to a Secret. Errors name the setting and the reference, never a value; a
 * plain value is refused, so secrets stay out of config files.
 */
export function resolveSecret(setting: string, value: string): Secret {
  const match = REFERENCE.exec(value);
  if (!match) {
    throw new SecretReferenceError(setting, 'secrets in a config file must be references (env:NAME or file:PATH)');
  }
  const [, scheme, target] = match as unknown as [string, 'env' | 'file', string];
  if (scheme === 'env') {
    const resolved = process.env[target];
    if (!resolved) throw new SecretReferenceError(setting, `environment variable ${target} is not set`);
    return new Secret(resolved);
  }
  try {
    return new Secret(readFileSync(target, 'utf8').trim());
  } catch (error) {
    throw new SecretReferenceError(setting, `cannot read ${target} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
