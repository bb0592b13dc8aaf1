import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { KeyringError, parseKeyring } from '../../codec/keyring';

const key = () => randomBytes(32).toString('base64');

describe('AES-256-GCM payload codec', () => {
  const a = key();
  const b = key();
  const before = parseKeyring(JSON.stringify({ current: 'k1', keys: { k1: a } }));
  const rotated = parseKeyring(JSON.stringify({ current: 'k2', keys: { k1: a, k2: b } }));
  const payload = defaultPayloadConverter.toPayload({ title: 'db-1 exfiltration by j.doe' });

  it('hides the plaintext and names the key in the metadata', async () => {
    const [encoded] = await new AesGcmPayloadCodec(before).encode([payload]);
    assert.equal(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString(), 'k1');
    assert.equal(Buffer.from(encoded!.data!).includes(Buffer.from('j.doe')), false);
    const [decoded] = await new AesGcmPayloadCodec(before).decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { title: 'db-1 exfiltration by j.doe' });
  });

  it('still decodes payloads written under a rotated-out key, and encodes new ones with the current key', async () => {
    const [old] = await new AesGcmPayloadCodec(before).encode([payload]);
    const codec = new AesGcmPayloadCodec(rotated);
    assert.deepEqual(defaultPayloadConverter.fromPayload((await codec.decode([old!]))[0]!), { title: 'db-1 exfiltration by j.doe' });
    const [fresh] = await codec.encode([payload]);
    assert.equal(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString(), 'k2');
  });

  it('refuses a tampered ciphertext and a swapped key id', async () => {
    const [encoded] = await new AesGcmPayloadCodec(rotated).encode([payload]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await assert.rejects(new AesGcmPayloadCodec(rotated).decode([{ ...encoded!, data: flipped }]));
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('k1') } };
    await assert.rejects(new AesGcmPayloadCodec(rotated).decode([relabelled]));
  });

  it('refuses a payload under a key it does not hold', async () => {
    const [encoded] = await new AesGcmPayloadCodec(rotated).encode([payload]);
    await assert.rejects(new AesGcmPayloadCodec(before).decode([encoded!]), /unknown key id/);
  });

  it('rejects a keyring whose current key is missing or malformed', () => {
    assert.throws(() => parseKeyring(JSON.stringify({ current: 'k9', keys: { k1: a } })), (e: KeyringError) => e.code === 'codec.keyring_invalid');
    assert.throws(() => parseKeyring(JSON.stringify({ current: 'k1', keys: { k1: 'short' } })), (e: KeyringError) => e.code === 'codec.keyring_invalid');
  });
});
