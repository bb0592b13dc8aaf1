import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Attribute, Change } from 'ldapts';
import { type LdapSettings, ldapProvider } from '../../../activities/containment/identity/ldap';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { Secret } from '../../../shared/secret';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { LDAP_BASE, LDAP_SERVICE, type LdapTestServer, startLdapServer } from '../../helpers/ldap-server';

/*
 * LDAP containment against a real OpenLDAP slapd with the ppolicy overlay, bound as a service account that may only
 * read people and write the lock attributes. "Disabled" is checked the way it matters: the user can no longer bind.
 */

describe('LDAP containment (OpenLDAP slapd)', function () {
  this.timeout(60_000);
  let slapd: LdapTestServer;
  let dir: string;
  let store: EvidenceStore;
  let n = 0;
  const incident = `inc-${Date.now().toString(36)}`;

  before(async function () {
    const started = await startLdapServer();
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      this.skip();
    }
    slapd = started as LdapTestServer;
  });
  after(async () => slapd?.stop());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-ldap-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const settings = (flavour: LdapSettings['flavour'], userAttribute = 'uid'): LdapSettings => ({
    url: slapd.url,
    bindDn: LDAP_SERVICE.dn,
    bindPassword: () => new Secret(LDAP_SERVICE.password),
    baseDn: `ou=people,${LDAP_BASE}`,
    userAttribute,
    flavour,
    startTls: false,
    timeoutMs: 5000,
  });
  const activitiesFor = (flavour: LdapSettings['flavour'], userAttribute?: string): Record<string, ActionFn> =>
    createVendorContainmentActivities({ evidence: { store: async () => store }, identity: ldapProvider(settings(flavour, userAttribute)) });
  const run = (activities: Record<string, ActionFn>, action: string, stepId: string, user: string, undo = false): Promise<Record<string, unknown>> =>
    new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}${undo ? '/undo' : ''}`, incidentId: incident, stepId, input: { user } });

  async function newPerson(extra: Record<string, string | string[]> = {}): Promise<{ uid: string; dn: string; password: string }> {
    const uid = `person${++n}`;
    const dn = `uid=${uid},ou=people,${LDAP_BASE}`;
    const password = `pw-${uid}-${Date.now()}`;
    const admin = await slapd.admin();
    try {
      await admin.add(dn, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, userPassword: password, ...extra });
    } finally {
      await admin.unbind();
    }
    return { uid, dn, password };
  }
  async function attribute(dn: string, name: string): Promise<string | undefined> {
    const admin = await slapd.admin();
    try {
      const { searchEntries } = await admin.search(dn, { scope: 'base', attributes: [name] });
      const value = searchEntries[0]?.[name];
      const first = Array.isArray(value) ? value[0] : value;
      return first === undefined ? undefined : String(first);
    } finally {
      await admin.unbind();
    }
  }

  it('locks an OpenLDAP account through ppolicy so it cannot bind, and the undo lets it bind again', async () => {
    const activities = activitiesFor('openldap');
    const person = await newPerson();
    assert.equal(await slapd.canBind(person.dn, person.password), true);
    const done = await run(activities, 'identity.disable-user', 'disable-account', person.uid);
    assert.equal(await attribute(person.dn, 'pwdAccountLockedTime'), '000001010000Z');
    assert.equal(await slapd.canBind(person.dn, person.password), false);
    const undone = await run(activities, 'identity.enable-user', 'disable-account', person.uid, true);
    assert.equal(await attribute(person.dn, 'pwdAccountLockedTime'), undefined);
    assert.equal(await slapd.canBind(person.dn, person.password), true);
    assert.equal(undone.restoredToRecorded, true);
    assert.deepEqual((done.before as { state: unknown }).state, { dn: person.dn, pwdAccountLockedTime: null, disabled: false });
  });

  it('keeps an account that was already locked before the incident locked, with the same lock time', async () => {
    const activities = activitiesFor('openldap');
    const person = await newPerson();
    const admin = await slapd.admin();
    const lockedAt = `${new Date(Date.now() - 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
    await admin.modify(person.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: [lockedAt] }) }));
    await admin.unbind();
    await run(activities, 'identity.disable-user', 'already-locked', person.uid);
    await run(activities, 'identity.enable-user', 'already-locked', person.uid, true);
    assert.equal(await attribute(person.dn, 'pwdAccountLockedTime'), lockedAt);
  });

  // slapd is not Active Directory: this checks the request (only bit 0x2 of AD's userAccountControl, as defined by the
  // msuser schema Debian ships, changes and comes back), not that AD then refuses the logon.
  it('sets and restores only the ACCOUNTDISABLE bit of userAccountControl for Active Directory', async () => {
    const activities = activitiesFor('active-directory', 'uid');
    // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD: the other bits must survive the round trip.
    const person = await newPerson({ objectClass: ['inetOrgPerson', 'extensibleObject'], userAccountControl: String(0x200 | 0x10000) });
    await run(activities, 'identity.disable-user', 'ad-disable', person.uid);
    assert.equal(Number(await attribute(person.dn, 'userAccountControl')), 0x200 | 0x10000 | 0x2);
    await run(activities, 'identity.enable-user', 'ad-disable', person.uid, true);
    assert.equal(Number(await attribute(person.dn, 'userAccountControl')), 0x200 | 0x10000);
  });

  it('fails a user the directory does not have at once, naming the user', async () => {
    await assert.rejects(run(activitiesFor('openldap'), 'identity.disable-user', 'nobody', 'no-such-person'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.target_not_found');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /user no-such-person not found at ldap/);
      return true;
    });
  });

  it('escapes the user name in the search filter, so a crafted name matches nobody', async () => {
    await newPerson();
    await assert.rejects(run(activitiesFor('openldap'), 'identity.disable-user', 'crafted', '*)(uid=*'), { type: 'containment.target_not_found' });
  });
});
