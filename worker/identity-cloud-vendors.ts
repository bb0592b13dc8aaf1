import { z } from 'zod';
import { createAwsClients, type AwsClients } from '../activities/containment/aws/session';
import { entraProvider } from '../activities/containment/identity/entra';
import { googleProvider } from '../activities/containment/identity/google';
import { ldapProvider } from '../activities/containment/identity/ldap';
import { oktaProvider } from '../activities/containment/identity/okta';
import type { IdentityProvider, UserState } from '../activities/containment/identity/provider';
import { type TokenSource, clientCredentials, jwtBearer, privateKeyJwt, staticToken } from '../activities/containment/vendor-kit/oauth-token';
import { resolveSecret } from './secret';

/*
 * Settings of the identity and cloud vendors (issue 13), merged into `vendors` beside the endpoint and edge ones.
 * `containment.identity: okta | entra | google | ldap` picks the identity provider, `containment.cloud: aws` the
 * cloud, and `containment.network: aws` sends network.block-ip to the AWS WAF IP sets. Secrets are references,
 * resolved once here (a bad one stops start-up naming the setting) and again at each use.
 */

const SecretRef = z.string().min(1);
/** A directory on this machine, where plain LDAP never leaves the host. */
const LOOPBACK_LDAP = /^ldap:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?\/?$/;
const HttpUrl = z.string().url().refine((url) => /^https?:\/\//.test(url), 'expected an https URL');

export const IdentityCloudVendors = {
  okta: z
    .strictObject({
      orgUrl: HttpUrl,
      /** An API token (sent as `SSWS`), or an OAuth service app with a private key (private-key JWT). */
      apiToken: SecretRef.optional(),
      clientId: z.string().min(1).optional(),
      privateKey: SecretRef.optional(),
      keyId: z.string().min(1).optional(),
    })
    .refine((o) => (o.apiToken !== undefined) !== (o.clientId !== undefined && o.privateKey !== undefined), { message: 'give apiToken, or clientId with privateKey', path: ['apiToken'] })
    .optional(),
  entra: z
    .strictObject({
      tenantId: z.string().min(1),
      clientId: z.string().min(1),
      clientSecret: SecretRef,
      graphUrl: HttpUrl.default('https://graph.microsoft.com/v1.0'),
      authorityUrl: HttpUrl.default('https://login.microsoftonline.com'),
    })
    .optional(),
  google: z
    .strictObject({
      /** The service account's JSON key (client_email, private_key), by reference. */
      serviceAccountKey: SecretRef,
      /** The super admin the service account acts as through domain-wide delegation. */
      adminEmail: z.string().email(),
      apiUrl: HttpUrl.default('https://admin.googleapis.com'),
      tokenUrl: HttpUrl.default('https://oauth2.googleapis.com/token'),
    })
    .optional(),
  ldap: z
    .strictObject({
      url: z.string().regex(/^ldaps?:\/\/[^/@]+\/?$/, 'expected ldap://host:port or ldaps://host:port'),
      bindDn: z.string().min(1),
      bindPassword: SecretRef,
      baseDn: z.string().min(1),
      userAttribute: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/).default('uid'),
      flavour: z.enum(['openldap', 'active-directory']).default('openldap'),
      startTls: z.boolean().default(false),
      /** PEM of the CA for LDAPS / StartTLS, by reference (`file:/etc/ssl/dir-ca.pem`). */
      ca: SecretRef.optional(),
      timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
    })
    .refine((l) => !l.startTls || l.url.startsWith('ldap://'), { message: 'StartTLS upgrades an ldap:// connection; use ldaps:// without it', path: ['startTls'] })
    .refine((l) => l.ca === undefined || l.startTls || l.url.startsWith('ldaps://'), { message: 'a CA is used only over TLS: use an ldaps:// URL or startTls: true', path: ['ca'] })
    .refine((l) => l.startTls || l.url.startsWith('ldaps://') || LOOPBACK_LDAP.test(l.url), {
      message: 'the bind password would cross the network in clear: use an ldaps:// URL or startTls: true (plain ldap:// only to this machine)',
      path: ['url'],
    })
    .optional(),
  aws: z
    .strictObject({
      region: z.string().min(1),
      /** Both absent: the AWS SDK's default chain (environment, instance or task role). */
      accessKeyId: SecretRef.optional(),
      secretAccessKey: SecretRef.optional(),
      roleArn: z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'expected a role ARN').optional(),
      externalId: z.string().min(2).optional(),
      /** The account containment acts in: an action refuses to run when the credentials act in another. */
      accountId: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id').optional(),
      endpoint: HttpUrl.optional(),
      quarantineGroupName: z.string().min(1).default('firebreak-quarantine'),
      wafIpSets: z
        .strictObject({
          scope: z.enum(['REGIONAL', 'CLOUDFRONT']).default('REGIONAL'),
          ipv4: z.strictObject({ name: z.string().min(1), id: z.string().min(1) }).optional(),
          ipv6: z.strictObject({ name: z.string().min(1), id: z.string().min(1) }).optional(),
        })
        .optional(),
    })
    .refine((a) => (a.accessKeyId === undefined) === (a.secretAccessKey === undefined), { message: 'set both accessKeyId and secretAccessKey, or neither', path: ['secretAccessKey'] })
    .refine((a) => !a.accountId || !a.roleArn || a.roleArn.split(':')[4] === a.accountId, { message: 'the role is in another account than vendors.aws.accountId', path: ['roleArn'] })
    .refine((a) => a.externalId === undefined || a.roleArn !== undefined, { message: 'an external id goes with the role it is presented to; set roleArn', path: ['externalId'] })
    .optional(),
};
const IdentityCloudVendorsConfig = z.object(IdentityCloudVendors);
type IdentityCloudVendorsConfig = z.infer<typeof IdentityCloudVendorsConfig>;

export const IDENTITY_VENDORS = ['okta', 'entra', 'google', 'ldap'] as const;

const secret = (setting: string, reference: string) => {
  const resolve = () => resolveSecret(setting, reference);
  resolve();
  return resolve;
};

function identityFrom(vendor: (typeof IDENTITY_VENDORS)[number], vendors: IdentityCloudVendorsConfig): IdentityProvider<UserState> {
  if (vendor === 'okta') {
    const o = vendors.okta!;
    const tokenUrl = `${o.orgUrl.replace(/\/$/, '')}/oauth2/v1/token`;
    const token: TokenSource = o.apiToken
      ? staticToken('SSWS', secret('vendors.okta.apiToken', o.apiToken))
      : privateKeyJwt({ vendor: 'okta', tokenUrl, clientId: o.clientId!, privateKey: secret('vendors.okta.privateKey', o.privateKey!), keyId: o.keyId, scope: 'okta.users.read okta.users.manage' });
    const secrets = () => [o.apiToken ? resolveSecret('vendors.okta.apiToken', o.apiToken).reveal() : resolveSecret('vendors.okta.privateKey', o.privateKey!).reveal()];
    return oktaProvider({ orgUrl: o.orgUrl, token, secrets }) as IdentityProvider<UserState>;
  }
  if (vendor === 'entra') {
    const e = vendors.entra!;
    const clientSecret = secret('vendors.entra.clientSecret', e.clientSecret);
    const tokenUrl = `${e.authorityUrl.replace(/\/$/, '')}/${encodeURIComponent(e.tenantId)}/oauth2/v2.0/token`;
    const token = clientCredentials({ vendor: 'entra', tokenUrl, clientId: e.clientId, clientSecret, scope: 'https://graph.microsoft.com/.default' });
    return entraProvider({ graphUrl: e.graphUrl, token, secrets: () => [clientSecret().reveal()] }) as IdentityProvider<UserState>;
  }
  if (vendor === 'google') {
    const g = vendors.google!;
    const keyFile = secret('vendors.google.serviceAccountKey', g.serviceAccountKey);
    const key = () => JSON.parse(keyFile().reveal()) as { client_email: string; private_key: string; private_key_id?: string };
    const parsed = key();
    const token = jwtBearer({
      vendor: 'google',
      tokenUrl: g.tokenUrl,
      issuer: parsed.client_email,
      subject: g.adminEmail,
      privateKey: () => ({ reveal: () => key().private_key }),
      keyId: parsed.private_key_id,
      scopes: ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/admin.directory.user.security'],
    });
    return googleProvider({ apiUrl: g.apiUrl, token, secrets: () => [key().private_key] }) as IdentityProvider<UserState>;
  }
  const l = vendors.ldap!;
  return ldapProvider({
    url: l.url,
    bindDn: l.bindDn,
    bindPassword: secret('vendors.ldap.bindPassword', l.bindPassword),
    baseDn: l.baseDn,
    userAttribute: l.userAttribute,
    flavour: l.flavour,
    startTls: l.startTls,
    ca: l.ca ? secret('vendors.ldap.ca', l.ca) : undefined,
    timeoutMs: l.timeoutMs,
  }) as IdentityProvider<UserState>;
}

function awsFrom(a: NonNullable<IdentityCloudVendorsConfig['aws']>): AwsClients {
  return createAwsClients({
    region: a.region,
    endpoint: a.endpoint,
    accessKeyId: a.accessKeyId ? secret('vendors.aws.accessKeyId', a.accessKeyId) : undefined,
    secretAccessKey: a.secretAccessKey ? secret('vendors.aws.secretAccessKey', a.secretAccessKey) : undefined,
    roleArn: a.roleArn,
    externalId: a.externalId,
    accountId: a.accountId,
    quarantineGroupName: a.quarantineGroupName,
    wafIpSets: a.wafIpSets,
  });
}

export interface IdentityCloudDeps {
  identity?: IdentityProvider<UserState>;
  aws?: AwsClients;
  network?: 'aws';
}

/** The vendors `containment.identity`, `containment.cloud` and `containment.network: aws` name; problems as setting paths. */
export function identityCloudVendorsFromConfig(
  containment: { identity?: string; network?: string; cloud?: string },
  vendors: IdentityCloudVendorsConfig,
  problems: string[],
): IdentityCloudDeps {
  const deps: IdentityCloudDeps = {};
  const identity = containment.identity;
  if (identity && (IDENTITY_VENDORS as readonly string[]).includes(identity)) {
    if (vendors[identity as (typeof IDENTITY_VENDORS)[number]]) deps.identity = identityFrom(identity as (typeof IDENTITY_VENDORS)[number], vendors);
    else problems.push(`containment.identity: ${identity} needs its settings under vendors.${identity}`);
  }
  const wantsAws = containment.cloud === 'aws' || containment.network === 'aws';
  if (wantsAws && !vendors.aws) problems.push(`containment.${containment.cloud === 'aws' ? 'cloud' : 'network'}: aws needs its settings under vendors.aws`);
  if (wantsAws && vendors.aws) {
    deps.aws = awsFrom(vendors.aws);
    if (containment.network === 'aws') {
      if (!vendors.aws.wafIpSets?.ipv4 && !vendors.aws.wafIpSets?.ipv6) problems.push('containment.network: aws needs vendors.aws.wafIpSets (the IP sets its web ACL blocks)');
      deps.network = 'aws';
    }
  }
  return deps;
}

