import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { ConfigError, loadConfig } from '../../../worker/config';
import { containmentFromConfig } from '../../../worker/http-endpoints';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { LDAP_BASE, LDAP_SERVICE, type LdapTestServer, startLdapServer } from '../../helpers/ldap-server';
import { type ThrowawayCa, throwawayCa } from '../../helpers/throwaway-ca';

/*
 * LDAPS and StartTLS against a real slapd whose certificate a CA made for this run signed (for IP 127.0.0.1 only).
 * The CA reaches the adapter the way an operator gives it: `vendors.ldap.ca: file:<path>` in a config file, built into
 * the provider by the same code the worker uses. The directory lets the service account write the lock attributes
 * only over TLS (an ACL on tls_ssf), so a step that locks an account proves the connection was encrypted; a CA that did
 * not sign the server's certificate is refused at once with `containment.tls_untrusted`.
 */

describe('LDAP containment over LDAPS and StartTLS with a CA by reference (slapd)', function () {
  this.timeout(60_000);
  const TIMEOUT_MS = 15_000;
  let slapd: LdapTestServer;
  let dir: string;
  let ca: ThrowawayCa;
  let otherCa: ThrowawayCa;
  let store: EvidenceStore;
  let n = 0;
  const incident = `inc-tls-${Date.now().toString(36)}`;

  before(async function () {
    if (spawnSync('openssl', ['version']).status !== 0) {
      console.log('    skipped: no openssl CLI to make the test CA (apt-get install -y openssl)');
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'fb-ldap-tls-'));
    ca = throwawayCa(dir, 'directory');
    otherCa = throwawayCa(dir, 'other');
    const started = await startLdapServer({ tls: { certFile: ca.certFile, keyFile: ca.keyFile } });
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      this.skip();
    }
    slapd = started as LdapTestServer;
    store = await EvidenceStore.open(path.join(dir, 'evidence'));
    process.env.FIREBREAK_TEST_LDAP_PASSWORD = LDAP_SERVICE.password;
  });
  after(async () => {
    delete process.env.FIREBREAK_TEST_LDAP_PASSWORD;
    await slapd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The LDAP provider as the worker builds it from a config file. */
  function activitiesFor(url: string, opts: { startTls?: boolean; caFile?: string }): Record<string, ActionFn> {
    const file = path.join(dir, `firebreak-${++n}.yaml`);
    const lines = [
      'containment:',
      '  identity: ldap',
      'vendors:',
      '  ldap:',
      `    url: ${url}`,
      `    bindDn: ${LDAP_SERVICE.dn}`,
      '    bindPassword: env:FIREBREAK_TEST_LDAP_PASSWORD',
      `    baseDn: ou=people,${LDAP_BASE}`,
      `    startTls: ${opts.startTls === true}`,
      `    timeoutMs: ${TIMEOUT_MS}`,
      ...(opts.caFile ? [`    ca: file:${opts.caFile}`] : []),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const evidence = { store: async () => store };
    const deps = containmentFromConfig(loadConfig({ FIREBREAK_CONFIG: file, FIREBREAK_TEST_LDAP_PASSWORD: LDAP_SERVICE.password }), {}, evidence);
    return createVendorContainmentActivities({ evidence, identity: deps.vendors!.identity });
  }
  const run = (activities: Record<string, ActionFn>, action: string, stepId: string, user: string, undo = false): Promise<Record<string, unknown>> =>
    new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}${undo ? '/undo' : ''}`, incidentId: incident, stepId, input: { user } });

  async function newPerson(): Promise<{ uid: string; dn: string; password: string }> {
    const uid = `tls-person${++n}`;
    const dn = `uid=${uid},ou=people,${LDAP_BASE}`;
    const password = `pw-${uid}-${Date.now()}`;
    const admin = await slapd.admin();
    try {
      await admin.add(dn, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, userPassword: password });
    } finally {
      await admin.unbind();
    }
    return { uid, dn, password };
  }

  async function lockAndUnlock(activities: Record<string, ActionFn>, stepId: string): Promise<void> {
    const person = await newPerson();
    await run(activities, 'identity.disable-user', stepId, person.uid);
    assert.equal(await slapd.canBind(person.dn, person.password), false, 'locked: the account cannot bind');
    const undone = await run(activities, 'identity.enable-user', stepId, person.uid, true);
    assert.equal(undone.restoredToRecorded, true);
    assert.equal(await slapd.canBind(person.dn, person.password), true, 'unlocked: the account binds again');
  }

  async function refusedAsUntrusted(activities: Record<string, ActionFn>, stepId: string): Promise<void> {
    const person = await newPerson();
    const started = Date.now();
    await assert.rejects(run(activities, 'identity.disable-user', stepId, person.uid), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, 'containment.tls_untrusted');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /the directory's TLS certificate is not trusted \([A-Z_]+\); vendors\.ldap\.ca must name the CA that signed it/);
      return true;
    });
    assert.ok(Date.now() - started < TIMEOUT_MS, 'refused by the handshake, not by the connect timeout');
    assert.equal(await slapd.canBind(person.dn, person.password), true, 'nothing was changed');
  }

  it('writes the lock attributes only over TLS: the same step over plain ldap:// is refused by the directory', async () => {
    const person = await newPerson();
    await assert.rejects(run(activitiesFor(slapd.url, {}), 'identity.disable-user', 'plain', person.uid), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.vendor_refused');
      assert.match(error.message, /ldap disable refused \(result code 50\)/);
      return true;
    });
    assert.equal(await slapd.canBind(person.dn, person.password), true);
  });

  it('locks and unlocks an account over ldaps:// trusting the CA given by file reference', async () => {
    await lockAndUnlock(activitiesFor(slapd.ldapsUrl!, { caFile: ca.caFile }), 'ldaps');
  });

  it('locks and unlocks an account over ldap:// upgraded with StartTLS, trusting the CA given by file reference', async () => {
    await lockAndUnlock(activitiesFor(slapd.url, { startTls: true, caFile: ca.caFile }), 'starttls');
  });

  it('refuses the directory over ldaps:// when the configured CA did not sign its certificate', async () => {
    await refusedAsUntrusted(activitiesFor(slapd.ldapsUrl!, { caFile: otherCa.caFile }), 'ldaps-wrong-ca');
  });

  it('refuses the directory over StartTLS when the configured CA did not sign its certificate', async () => {
    await refusedAsUntrusted(activitiesFor(slapd.url, { startTls: true, caFile: otherCa.caFile }), 'starttls-wrong-ca');
  });

  it('refuses a directory certificate from a private CA when no CA is configured (the system CAs do not know it)', async () => {
    await refusedAsUntrusted(activitiesFor(slapd.ldapsUrl!, {}), 'ldaps-system-cas');
  });

  it('refuses a certificate from the right CA that names another host, over ldaps:// and StartTLS', async () => {
    const elsewhere = throwawayCa(dir, 'elsewhere', 'DNS:directory.invalid');
    const started = await startLdapServer({ tls: { certFile: elsewhere.certFile, keyFile: elsewhere.keyFile } });
    assert.ok(!('skip' in started));
    try {
      for (const [url, startTls] of [[started.ldapsUrl!, false], [started.url, true]] as const) {
        await assert.rejects(run(activitiesFor(url, { startTls, caFile: elsewhere.caFile }), 'identity.disable-user', `wrong-host-${String(startTls)}`, 'anyone'), (error: unknown) => {
          assert.ok(error instanceof ApplicationFailure);
          assert.equal(error.type, 'containment.tls_untrusted');
          assert.match(error.message, /\(ERR_TLS_CERT_ALTNAME_INVALID\)/);
          return true;
        });
      }
    } finally {
      await started.stop();
    }
  });

  it('refuses a CA on a plain ldap:// connection without StartTLS at start-up, naming the setting', () => {
    assert.throws(
      () => activitiesFor(slapd.url, { caFile: ca.caFile }),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.includes('vendors.ldap.ca: a CA is used only over TLS: use an ldaps:// URL or startTls: true')),
    );
  });
});
