import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../../workflows/notices/sha256';

describe('workflow-safe SHA-256 of a draft', () => {
  it('matches node:crypto on known answers, block boundaries and non-ASCII text', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const samples = ['a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'b'.repeat(1000), 'Datenschutzverletzung — Art. 33 DSGVO 🙂 €', 'x\ud800y'];
    for (const text of samples) assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'), JSON.stringify(text.slice(0, 20)));
  });

  it('changes when one character of the draft changes', () => {
    assert.notEqual(sha256Hex('Notice to the SA at 09:00'), sha256Hex('Notice to the SA at 09:01'));
  });
});
