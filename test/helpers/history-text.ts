import type { Payload } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import type { Keyring } from '../../codec/keyring';

function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && 'data' in value && 'metadata' in value && (value as Payload).data instanceof Uint8Array;
}

function collectPayloads(value: unknown, into: Payload[], seen = new Set<unknown>()): Payload[] {
  if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof Uint8Array) return into;
  seen.add(value);
  if (isPayload(value)) into.push(value);
  else for (const child of Object.values(value)) collectPayloads(child, into, seen);
  return into;
}

/**
 * Everything a workflow history says, readable: the raw events as JSON plus every payload decrypted through the
 * codec, so a test can assert a value appears nowhere in it.
 */
export async function historyText(history: unknown, keyring: Keyring): Promise<string> {
  const decoded = await new AesGcmPayloadCodec(keyring).decode(collectPayloads(history, []));
  const payloads = decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
  return `${JSON.stringify(history)}\n${payloads.join('\n')}`;
}
