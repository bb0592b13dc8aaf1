import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert } from '../../../runbooks/schema/alert';
import type { AuthResult, InboundDelivery, NormaliseContext, NormaliseResult } from '../../../ingress/webhooks/source-kind';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'alerts');

/** A fixture's exact bytes (what gets signed) and its parsed JSON. */
export function fixture(kind: string, name: string): { rawBody: Buffer; body: unknown } {
  const rawBody = readFileSync(join(FIXTURES, kind, `${name}.json`));
  return { rawBody, body: JSON.parse(rawBody.toString('utf8')) };
}

export const RECEIVED_AT = new Date('2025-03-04T14:00:00Z');
export const RECEIVED_AT_SECONDS = RECEIVED_AT.getTime() / 1000;

export function delivery(headers: Record<string, string>, rawBody: Buffer | string, receivedAt = RECEIVED_AT): InboundDelivery {
  return { headers, rawBody: Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8'), receivedAt };
}

export function context(headers: Record<string, string> = {}): NormaliseContext {
  return { source: 'test-source', deliveryId: 'delivery-1', receivedAt: RECEIVED_AT, headers };
}

export function refusedWith(result: AuthResult): string | undefined {
  return result.ok ? undefined : result.code;
}

export function alertsOf(result: NormaliseResult): Alert[] {
  assert.ok(result.ok, `expected alerts, got issues ${JSON.stringify(!result.ok && result.issues)}`);
  return result.alerts;
}

export function issuePaths(result: NormaliseResult): (string | number)[][] {
  assert.ok(!result.ok, 'expected issues, got alerts');
  return result.issues.map((i) => i.path);
}

/** Flips one byte of a copy, to prove the signature covers every byte. */
export function withOneByteChanged(bytes: Buffer, at = 10): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}
