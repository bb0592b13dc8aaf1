import { createHash, KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { rawPublicKey } from './keys';
import { HexHash } from './record';

/**
 * A signed checkpoint, in the spirit of C2SP tlog-checkpoint: it commits to the log's size
 * and the hash of its last record. `note` is the authoritative signed note; `size` and
 * `head` repeat it for readers and must agree with it.
 */
export const Checkpoint = z.strictObject({
  at: z.iso.datetime(),
  origin: z.string().min(1),
  size: z.number().int().nonnegative(),
  head: HexHash,
  note: z.string(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

// U+2014 EM DASH starts a signature line in the signed-note format.
const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_SIGNATURE_TYPE = 0x01;

/** `<origin>\n<size>\n<base64 head hash>\n`: the bytes that are signed. */
export function checkpointBody(origin: string, size: number, head: string): string {
  if (origin.includes('\n')) throw new TypeError('checkpoint origin must be one line');
  return `${origin}\n${size}\n${Buffer.from(head, 'hex').toString('base64')}\n`;
}

/** Four-byte key hint: SHA-256(name ‖ "\n" ‖ 0x01 ‖ raw public key)[0..4], as signed notes define it. */
export function keyHint(keyName: string, key: KeyObject): Buffer {
  return createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.from([0x0a, ED25519_SIGNATURE_TYPE]))
    .update(rawPublicKey(key))
    .digest()
    .subarray(0, 4);
}

/** Signs a checkpoint with Ed25519; `keyName` defaults to the origin. */
export function signCheckpoint(input: {
  origin: string;
  size: number;
  head: string;
  at: Date;
  key: KeyObject;
  keyName?: string;
}): Checkpoint {
  const keyName = input.keyName ?? input.origin;
  const body = checkpointBody(input.origin, input.size, input.head);
  const signature = sign(null, Buffer.from(body, 'utf8'), input.key);
  const sigB64 = Buffer.concat([keyHint(keyName, input.key), signature]).toString('base64');
  return {
    at: input.at.toISOString(),
    origin: input.origin,
    size: input.size,
    head: input.head,
    note: `${body}\n${SIGNATURE_PREFIX}${keyName} ${sigB64}\n`,
  };
}

/** Why a checkpoint failed `checkCheckpoint`; `undefined` means it is genuine. */
export type CheckpointDefect = 'malformed' | 'bad_signature';

/**
 * Checks that the note parses, that its body agrees with `size`/`head`/`origin`, and that at
 * least one signature line carries a valid Ed25519 signature by `publicKey`.
 */
export function checkCheckpoint(cp: Checkpoint, publicKey: KeyObject): CheckpointDefect | undefined {
  const split = cp.note.indexOf('\n\n');
  if (split < 0) return 'malformed';
  const body = cp.note.slice(0, split + 1);
  if (body !== checkpointBody(cp.origin, cp.size, cp.head)) return 'malformed';
  const lines = cp.note.slice(split + 2).split('\n').filter((l) => l.length > 0);
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return 'malformed';
    const [name, b64] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (!name || !b64) return 'malformed';
    const raw = Buffer.from(b64, 'base64');
    if (raw.length !== 4 + 64) continue;
    if (!raw.subarray(0, 4).equals(keyHint(name, publicKey))) continue;
    if (verify(null, Buffer.from(body, 'utf8'), publicKey, raw.subarray(4))) return undefined;
  }
  return 'bad_signature';
}
