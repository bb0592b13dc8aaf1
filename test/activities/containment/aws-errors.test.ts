import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAwsClients } from '../../../activities/containment/aws/session';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { Secret } from '../../../shared/secret';

/*
 * How AWS refusals reach the step's retry policy. moto never throttles and never fails, so a local server answers
 * IAM's query API with the error documents AWS sends (ErrorResponse XML, as in the IAM API reference's "Common
 * Errors"): the real SDK parses them, and the step must see throttling and 5xx as retryable and a refusal as final.
 * Nothing is recorded as evidence: each call fails at the first read.
 */

function errorDocument(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>4f1e-test</RequestId></ErrorResponse>`;
}

describe('AWS errors reach the step as retryable or final (IAM error documents)', () => {
  let server: Server;
  let answer: { status: number; body: string };
  let seen: number;

  before(async () => {
    server = createServer((req, res) => {
      seen++;
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = 0;
  });

  const deactivate = async (withKeys = true) => {
    const aws = createAwsClients({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ...(withKeys ? { accessKeyId: () => new Secret('AKIAFIREBREAKTEST'), secretAccessKey: () => new Secret('not-a-real-secret-key') } : {}),
      quarantineGroupName: 'q',
    });
    const activities = createVendorContainmentActivities({ evidence: { store: async () => assert.fail('nothing is recorded') }, aws });
    const key = 'inc-aws-errors/deactivate-key';
    return new MockActivityEnvironment().run(activities['cloud.deactivate-access-key']! as (r: unknown) => Promise<unknown>, { key, incidentId: 'inc-aws-errors', stepId: 'deactivate-key', input: { accessKeyId: 'AKIAFIREBREAKLEAKED1' } });
  };
  const failsWith = async (type: string, nonRetryable: boolean, message: RegExp, withKeys = true) => {
    await assert.rejects(deactivate(withKeys), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, type);
      assert.equal(error.nonRetryable, nonRetryable);
      assert.match(error.message, message);
      return true;
    });
    assert.equal(seen, withKeys ? 1 : 0, "one request per attempt: the step's retry policy retries, not the SDK");
  };

  it('leaves throttling to the step to retry', async () => {
    answer = { status: 400, body: errorDocument('Throttling', 'Rate exceeded') };
    await failsWith('containment.rate_limited', false, /aws iam:GetAccessKeyLastUsed throttled \(Throttling\)/);
  });

  it('retries a service failure', async () => {
    answer = { status: 500, body: errorDocument('ServiceFailure', 'Request processing has failed due to some unknown error') };
    await failsWith('containment.vendor_unavailable', false, /aws iam:GetAccessKeyLastUsed failed \(ServiceFailure\)/);
  });

  it('stops at once on a refusal the README explains (access denied) or any other client error', async () => {
    answer = { status: 403, body: errorDocument('AccessDenied', 'User is not authorized to perform iam:GetAccessKeyLastUsed') };
    await failsWith('containment.unauthorized', true, /the role needs the IAM actions the README lists/);
    seen = 0;
    answer = { status: 400, body: errorDocument('ValidationError', 'The specified value for accessKeyId is invalid') };
    await failsWith('containment.vendor_refused', true, /aws iam:GetAccessKeyLastUsed refused \(ValidationError\)/);
  });

  it('stops at once, saying where credentials come from, when there are none', async () => {
    // The SDK's default chain finds nothing: no keys configured, none in the environment, no profile, no instance role.
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
    try {
      await failsWith('containment.unauthorized', true, /aws iam:GetAccessKeyLastUsed: no credentials \(vendors\.aws\.accessKeyId and secretAccessKey, or the SDK's default chain/, false);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
