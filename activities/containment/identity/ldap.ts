import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { Attribute, Change, Client, EqualityFilter, InvalidCredentialsError, type SearchOptions } from 'ldapts';
import { VendorFailureType, tlsCertificateError } from '../vendor-kit/failures';
import type { SecretValue } from '../vendor-kit/oauth-token';
import type { IdentityProvider, UserState } from './provider';

/**
 * Active Directory and OpenLDAP through ldapts. The user is looked up by `userAttribute` (uid, sAMAccountName,
 * userPrincipalName) below `baseDn` with an escaped equality filter. Disabling:
 * - Active Directory: sets the ACCOUNTDISABLE bit (0x2) of `userAccountControl`; undo puts back only that bit as
 *   recorded, so other flags changed meanwhile (a password reset) are kept;
 * - OpenLDAP: sets `pwdAccountLockedTime` to 000001010000Z, which the ppolicy overlay treats as locked until an
 *   administrator unlocks; undo puts back the recorded value (removes it, or restores a lockout already running).
 * Directory logons have no sessions to revoke over LDAP (Kerberos tickets expire on their own); revoke-sessions
 * is a no-op that says so in its plan. LDAPS or StartTLS verify the server against the configured CA.
 */

export interface LdapSettings {
  url: string;
  bindDn: string;
  bindPassword: () => SecretValue;
  baseDn: string;
  userAttribute: string;
  flavour: 'openldap' | 'active-directory';
  startTls: boolean;
  /** PEM of the CA that signed the directory's certificate (absent: the system CAs). */
  ca?: () => SecretValue;
  timeoutMs: number;
}

export interface LdapUserState extends UserState {
  dn: string;
  /** OpenLDAP: the ppolicy lock time (null: not locked). */
  pwdAccountLockedTime?: string | null;
  /** Active Directory: the ACCOUNTDISABLE bit as it was. */
  accountDisableBit?: boolean;
}

const PERMANENT_LOCK = '000001010000Z';
const ACCOUNTDISABLE = 0x2;

function unavailable(error: unknown, what: string): never {
  if (error instanceof ApplicationFailure) throw error;
  if (error instanceof InvalidCredentialsError) {
    throw ApplicationFailure.create({ type: VendorFailureType.Unauthorized, message: `ldap bind as the configured bindDn was refused`, nonRetryable: true });
  }
  const certificate = tlsCertificateError(error);
  if (certificate) {
    throw ApplicationFailure.create({
      type: VendorFailureType.TlsUntrusted,
      message: `ldap ${what}: the directory's TLS certificate is not trusted (${certificate}); vendors.ldap.ca must name the CA that signed it, for the host in vendors.ldap.url`,
      nonRetryable: true,
      details: [{ vendor: 'ldap', code: certificate }],
    });
  }
  const code = (error as { code?: unknown }).code;
  // Result codes from the server other than busy/unavailable (51-53) are refusals; socket errors are retried.
  if (typeof code === 'number' && ![51, 52, 53].includes(code)) {
    throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `ldap ${what} refused (result code ${code})`, nonRetryable: true, details: [{ code }] });
  }
  throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `ldap ${what} failed (${(error as Error).name})`, details: [{ code: typeof code === 'number' ? code : undefined }] });
}

export function ldapProvider(settings: LdapSettings): IdentityProvider<LdapUserState> {
  const tlsOptions = () => (settings.ca ? { ca: [settings.ca().reveal()] } : {});
  // StartTLS hands Node's TLS an already connected socket, and without a host Node checks the certificate against
  // "localhost": name the directory's host from the URL (and send it as SNI unless it is an address).
  const host = new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
  const startTlsOptions = () => ({ ...tlsOptions(), host, ...(isIP(host) ? {} : { servername: host }) });

  async function withClient<T>(what: string, use: (client: Client) => Promise<T>): Promise<T> {
    // ldapts speaks TLS from the first byte whenever it is given TLS options, so only an ldaps:// URL gets them; an
    // ldap:// connection stays plain until StartTLS upgrades it.
    const secure = settings.url.startsWith('ldaps://');
    const client = new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs, ...(secure ? { tlsOptions: tlsOptions() } : {}) });
    try {
      if (settings.startTls) await client.startTLS(startTlsOptions());
      await client.bind(settings.bindDn, settings.bindPassword().reveal());
      return await use(client);
    } catch (error) {
      return unavailable(error, what);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async function find(client: Client, user: string): Promise<Record<string, unknown>> {
    const attribute = settings.flavour === 'active-directory' ? 'userAccountControl' : 'pwdAccountLockedTime';
    const options: SearchOptions = { scope: 'sub', filter: new EqualityFilter({ attribute: settings.userAttribute, value: user }), attributes: ['dn', attribute], sizeLimit: 2 };
    const { searchEntries } = await client.search(settings.baseDn, options);
    if (searchEntries.length !== 1) {
      throw ApplicationFailure.create({
        type: VendorFailureType.TargetNotFound,
        message: searchEntries.length === 0 ? `user ${user} not found at ldap (${settings.userAttribute} under ${settings.baseDn})` : `user ${user} matches more than one entry at ldap`,
        nonRetryable: true,
        details: [{ vendor: 'ldap', matches: searchEntries.length }],
      });
    }
    return searchEntries[0]!;
  }

  const first = (value: unknown): string | null => (Array.isArray(value) ? (value[0]?.toString() ?? null) : value === undefined ? null : String(value));

  function stateOf(entry: Record<string, unknown>): LdapUserState {
    if (settings.flavour === 'active-directory') {
      const bit = (Number(first(entry.userAccountControl) ?? 0) & ACCOUNTDISABLE) !== 0;
      return { dn: String(entry.dn), accountDisableBit: bit, disabled: bit };
    }
    const locked = first(entry.pwdAccountLockedTime);
    return { dn: String(entry.dn), pwdAccountLockedTime: locked, disabled: locked !== null };
  }

  async function setDisabled(client: Client, dn: string, disabled: boolean, lockTime: string | null = PERMANENT_LOCK): Promise<void> {
    if (settings.flavour === 'active-directory') {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['userAccountControl'] });
      const uac = Number(first(searchEntries[0]?.userAccountControl) ?? 512);
      const next = disabled ? uac | ACCOUNTDISABLE : uac & ~ACCOUNTDISABLE;
      await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(next)] }) }));
      return;
    }
    if (disabled && lockTime !== null) await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: [lockTime] }) }));
    else await client.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }) }));
  }

  const modifyPlan = (user: string, change: string) => [
    { vendor: 'ldap', operation: `search ${settings.baseDn} (${settings.userAttribute}=${user})` },
    { vendor: 'ldap', operation: `modify <dn of ${user}>`, request: change },
  ];
  const lockAttribute = settings.flavour === 'active-directory' ? 'userAccountControl' : 'pwdAccountLockedTime';
  return {
    vendor: 'ldap',
    read: (user) => withClient('read', async (client) => stateOf(await find(client, user))),
    disable: (user) => withClient('disable', async (client) => setDisabled(client, stateOf(await find(client, user)).dn, true)),
    enable: (user) => withClient('enable', async (client) => setDisabled(client, stateOf(await find(client, user)).dn, false)),
    restore: (user, recorded, current) =>
      withClient('restore', async (client) => {
        const dn = stateOf(await find(client, user)).dn;
        if (settings.flavour === 'active-directory') {
          if (recorded.accountDisableBit !== current.accountDisableBit) await setDisabled(client, dn, recorded.accountDisableBit === true);
        } else if (recorded.pwdAccountLockedTime !== current.pwdAccountLockedTime) {
          await setDisabled(client, dn, recorded.pwdAccountLockedTime !== null, recorded.pwdAccountLockedTime ?? null);
        }
      }),
    revokeSessions: async () => undefined,
    plan: {
      disable: (user) => modifyPlan(user, settings.flavour === 'active-directory' ? 'replace userAccountControl: <current> | 0x2 (ACCOUNTDISABLE)' : `replace pwdAccountLockedTime: ${PERMANENT_LOCK}`),
      enable: (user) => modifyPlan(user, settings.flavour === 'active-directory' ? 'replace userAccountControl: ACCOUNTDISABLE bit as recorded' : `${lockAttribute} as recorded (delete when there was none)`),
      revokeSessions: () => [{ vendor: 'ldap', operation: 'none: LDAP directories keep no sessions Firebreak can end' }],
    },
    secrets: () => [settings.bindPassword().reveal()],
  };
}
