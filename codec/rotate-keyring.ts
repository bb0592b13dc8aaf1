import { randomBytes } from 'node:crypto';
import { KeyringFile } from './keyring';

/**
 * Adds a fresh 32-byte key and makes it current. Every earlier key stays, so history written under them still
 * decrypts; a key is only ever dropped by hand, once no retained history uses it.
 */
export function rotateKeyring(current: KeyringFile, now: Date = new Date()): { keyring: KeyringFile; newKeyId: string } {
  let newKeyId = `k${now.getTime().toString(36)}`;
  while (current.keys[newKeyId]) newKeyId = `k${now.getTime().toString(36)}${randomBytes(2).toString('hex')}`;
  return { keyring: { current: newKeyId, keys: { ...current.keys, [newKeyId]: randomBytes(32).toString('base64') } }, newKeyId };
}
