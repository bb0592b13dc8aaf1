import { z } from 'zod';

/** Payload encryption keys by id; `current` encrypts, every listed key decrypts (so rotated-out keys still read old history). */
export const KeyringFile = z.object({
  current: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  keys: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'each key is 32 bytes, base64')),
});
export type KeyringFile = z.infer<typeof KeyringFile>;

export interface Keyring {
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class KeyringError extends Error {
  readonly code = 'codec.keyring_invalid';
}

export function parseKeyring(json: string): Keyring {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new KeyringError('payload keyring is not JSON');
  }
  const parsed = KeyringFile.safeParse(data);
  if (!parsed.success) throw new KeyringError(`payload keyring: ${parsed.error.issues.map((i) => i.path.join('.') || '(top)').join(', ')} invalid`);
  const keys = new Map(Object.entries(parsed.data.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')] as const));
  if (!keys.has(parsed.data.current)) throw new KeyringError(`payload keyring: current key ${parsed.data.current} is not in keys`);
  return { currentId: parsed.data.current, keys };
}
