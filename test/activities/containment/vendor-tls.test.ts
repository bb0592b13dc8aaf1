import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { clientCredentials } from '../../../activities/containment/vendor-kit/oauth-token';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { Secret } from '../../../shared/secret';
import { throwawayCa } from '../../helpers/throwaway-ca';

/*
 * A vendor API or token endpoint behind a certificate the worker does not trust (a TLS-inspecting proxy, a wrong
 * endpoint in config) is a configuration fault: the step fails at once as containment.tls_untrusted naming the host,
 * instead of being retried as an unreachable vendor. The server is real HTTPS with a certificate from a CA made here.
 */

describe('vendor HTTPS with a certificate no trusted CA signed', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let served = 0;

  before(async function () {
    if (spawnSync('openssl', ['version']).status !== 0) {
      console.log('    skipped: no openssl CLI to make the test CA (apt-get install -y openssl)');
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'fb-vendor-tls-'));
    const ca = throwawayCa(dir, 'vendor');
    server = createServer({ cert: readFileSync(ca.certFile), key: readFileSync(ca.keyFile) }, (_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t","expires_in":3600}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const untrusted = (message: RegExp) => (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, String(error));
    assert.equal(error.type, 'containment.tls_untrusted');
    assert.equal(error.nonRetryable, true);
    assert.match(error.message, message);
    return true;
  };

  it('fails an API call at once, naming the host', async () => {
    const http = createVendorHttp({ vendor: 'okta', baseUrl: url, authorization: async () => 'SSWS x' });
    await assert.rejects(http.send({ method: 'GET', path: '/api/v1/users/{id}', params: { id: 'alice' }, target: 'user alice' }), untrusted(/okta: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \([A-Z_]+\)/));
    assert.equal(served, 0);
  });

  it('fails a token request at once', async () => {
    const token = clientCredentials({ vendor: 'entra', tokenUrl: `${url}/tenant/oauth2/v2.0/token`, clientId: 'app', clientSecret: () => new Secret('s'), scope: 'x' });
    await assert.rejects(token.header(), untrusted(/entra token endpoint's TLS certificate is not trusted \([A-Z_]+\)/));
    assert.equal(served, 0);
  });
});
