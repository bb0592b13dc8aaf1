import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { deriveUpdateIdKey, updateIdFor } from '../../ingress/update-id';

describe('update ids', () => {
  const key = deriveUpdateIdKey(randomBytes(32));
  const request = { kind: 'approve' as const, incidentId: 'incident/generic/abc', target: 'approve-notice', personId: 'slack:U0LENA' };

  it('carry the kind and a keyed hash, never the person id', () => {
    const id = updateIdFor(key, request);
    assert.match(id, /^approve\/[A-Za-z0-9_-]{32}$/);
    assert.ok(!id.includes('U0LENA') && !id.includes('slack'));
  });

  it('name a repeated decision alike (double click, a second replica with the same key) and different people apart', () => {
    const sameKeyElsewhere = deriveUpdateIdKey(Buffer.from(key));
    assert.equal(updateIdFor(key, request), updateIdFor(key, request));
    assert.notEqual(updateIdFor(key, request), updateIdFor(key, { ...request, personId: 'slack:U0LIAM' }));
    assert.notEqual(updateIdFor(key, request), updateIdFor(key, { ...request, kind: 'reject' }));
    assert.notEqual(updateIdFor(key, request), updateIdFor(sameKeyElsewhere, request), 'the key is derived, not used as given');
  });

  it('differ under another key, so nobody without it can test a guessed person id', () => {
    assert.notEqual(updateIdFor(key, request), updateIdFor(deriveUpdateIdKey(randomBytes(32)), request));
  });

  it('dedupe a resolve or clock stop per submission only: the same step can be resolved again after a retry', () => {
    const resolve = { kind: 'resolve' as const, incidentId: 'incident/generic/abc', target: 'send-notice', personId: 'sam' };
    assert.equal(updateIdFor(key, { ...resolve, submission: 'V1' }), updateIdFor(key, { ...resolve, submission: 'V1' }));
    assert.notEqual(updateIdFor(key, { ...resolve, submission: 'V1' }), updateIdFor(key, { ...resolve, submission: 'V2' }));
    assert.notEqual(updateIdFor(key, resolve), updateIdFor(key, resolve), 'without a submission every call is its own request');
  });
});
