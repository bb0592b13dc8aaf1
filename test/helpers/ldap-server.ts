import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { freePort } from './net';

/*
 * A real OpenLDAP slapd (Debian's `slapd` package, installed by .ci/run) for the LDAP containment tests: started per
 * test file on a loopback port with a throwaway mdb database, the ppolicy overlay (so `pwdAccountLockedTime` locks an
 * account for real) and Microsoft's user schema as Debian ships it (msuser.schema: `userAccountControl`), and stopped
 * afterwards. The tests bind as a service account whose ACL grants only what the README asks of a real directory.
 */

export const LDAP_BASE = 'dc=firebreak,dc=test';
export const LDAP_ADMIN = { dn: `cn=admin,${LDAP_BASE}`, password: 'admin-test-password' };
export const LDAP_SERVICE = { dn: `cn=firebreak,ou=services,${LDAP_BASE}`, password: 'service-test-password' };

export interface LdapTestServer {
  url: string;
  /** With `tls`: the LDAPS listener (the `url` listener then also offers StartTLS). */
  ldapsUrl?: string;
  /** A client bound as the directory manager, for the test's own setup and read-back. */
  admin(): Promise<Client>;
  /** Whether `dn` can bind with `password` right now (false: refused, as a locked account is). */
  canBind(dn: string, password: string): Promise<boolean>;
  stop(): Promise<void>;
}

const SLAPD = ['/usr/sbin/slapd', '/usr/local/libexec/slapd'].find((p) => existsSync(p));
const MODULES = ['/usr/lib/ldap', '/usr/lib/x86_64-linux-gnu/ldap', '/usr/lib/aarch64-linux-gnu/ldap'].find((p) => existsSync(path.join(p, 'ppolicy.la')) || existsSync(path.join(p, 'ppolicy.so')));

/** A server certificate and key (PEM files) for LDAPS and StartTLS. */
export interface LdapTls {
  certFile: string;
  keyFile: string;
}

function config(dir: string, tls?: LdapTls): string {
  const schema = (name: string) => `include /etc/ldap/schema/${name}.schema`;
  return [
    ...['core', 'cosine', 'inetorgperson', 'nis', 'msuser'].map(schema),
    `modulepath ${MODULES}`,
    'moduleload back_mdb',
    'moduleload ppolicy',
    `pidfile ${dir}/slapd.pid`,
    ...(tls ? [`TLSCertificateFile ${tls.certFile}`, `TLSCertificateKeyFile ${tls.keyFile}`] : []),
    'database mdb',
    `suffix "${LDAP_BASE}"`,
    `rootdn "${LDAP_ADMIN.dn}"`,
    `rootpw ${LDAP_ADMIN.password}`,
    `directory ${dir}/db`,
    'maxsize 33554432',
    'overlay ppolicy',
    `ppolicy_default "cn=default,ou=policies,${LDAP_BASE}"`,
    // Least privilege for Firebreak: read the people, write only the lock attributes (with TLS on: only over TLS).
    `access to attrs=pwdAccountLockedTime,userAccountControl by dn.exact="${LDAP_SERVICE.dn}"${tls ? ' tls_ssf=128' : ''} write by * read`,
    'access to attrs=userPassword by self write by anonymous auth by * none',
    `access to * by dn.exact="${LDAP_SERVICE.dn}" read by * read`,
    '',
  ].join('\n');
}

/** Starts slapd; resolves `{ skip }` with the reason when slapd or its ppolicy module is not installed. */
export async function startLdapServer(opts: { tls?: LdapTls } = {}): Promise<LdapTestServer | { skip: string }> {
  if (!SLAPD || !MODULES || !existsSync('/etc/ldap/schema/msuser.schema')) return { skip: 'no OpenLDAP slapd with ppolicy (apt-get install -y slapd ldap-utils)' };
  const dir = mkdtempSync(path.join(tmpdir(), 'fb-slapd-'));
  mkdirSync(path.join(dir, 'db'));
  writeFileSync(path.join(dir, 'slapd.conf'), config(dir, opts.tls));
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = opts.tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
  const listeners = [url, ...(ldapsUrl ? [ldapsUrl] : [])].map((u) => `${u}/`).join(' ');
  const child: ChildProcess = spawn(SLAPD, ['-d', '0', '-f', path.join(dir, 'slapd.conf'), '-h', listeners], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const admin = async () => {
    const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
    await client.bind(LDAP_ADMIN.dn, LDAP_ADMIN.password);
    return client;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode} before it was ready`);
    const client = await admin().catch(() => undefined);
    if (client) {
      await client.unbind();
      break;
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`slapd on ${url} not ready within 20s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seed = await admin();
  try {
    await seed.add(LDAP_BASE, { objectClass: ['top', 'dcObject', 'organization'], dc: 'firebreak', o: 'Firebreak test' });
    for (const ou of ['people', 'services', 'policies']) await seed.add(`ou=${ou},${LDAP_BASE}`, { objectClass: ['organizationalUnit'], ou });
    await seed.add(`cn=default,ou=policies,${LDAP_BASE}`, { objectClass: ['top', 'device', 'pwdPolicy'], cn: 'default', pwdAttribute: 'userPassword', pwdLockout: 'TRUE' });
    await seed.add(LDAP_SERVICE.dn, { objectClass: ['simpleSecurityObject', 'organizationalRole'], cn: 'firebreak', userPassword: LDAP_SERVICE.password });
  } finally {
    await seed.unbind();
  }
  return {
    url,
    ldapsUrl,
    admin,
    async canBind(dn, password) {
      const client = new Client({ url, timeout: 5000, connectTimeout: 5000 });
      try {
        await client.bind(dn, password);
        return true;
      } catch {
        return false;
      } finally {
        await client.unbind().catch(() => undefined);
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
