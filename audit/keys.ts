import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { AuditError } from './errors';

/** A freshly generated Ed25519 checkpoint-signing key pair. Store `privatePem` as a secret, never beside the log. */
export interface GeneratedSigningKey {
  privatePem: string;
  publicPem: string;
  /** Stable fingerprint of the public key (hex, 16 chars) to name the key in config and reports. */
  keyId: string;
}

/** Generates an Ed25519 key pair for signing audit checkpoints. */
export function generateSigningKey(): GeneratedSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: signingKeyId(publicKey),
  };
}

/** Loads an Ed25519 private key from PKCS#8 PEM. Throws `audit.bad_key` for anything else (the PEM is never echoed). */
export function loadSigningKey(pem: string): KeyObject {
  return requireEd25519(() => createPrivateKey(pem), 'private');
}

/** Loads an Ed25519 public key from SPKI PEM, or derives it from a private key PEM. Throws `audit.bad_key` otherwise. */
export function loadPublicKey(pem: string): KeyObject {
  return requireEd25519(() => createPublicKey(pem), 'public');
}

/** Fingerprint of a public (or private) key: first 8 bytes of SHA-256 over its SPKI DER, hex. */
export function signingKeyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** The raw 32-byte Ed25519 public key, as signed-note key hints need it. */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new AuditError('audit.bad_key', 'not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

function requireEd25519(load: () => KeyObject, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key = load();
  } catch {
    throw new AuditError('audit.bad_key', `could not parse the ${kind} key PEM`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AuditError('audit.bad_key', `expected an Ed25519 ${kind} key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}
