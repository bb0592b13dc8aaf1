import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TokenScope } from '../ingress/api/token-directory';
import { isSecretReference } from './secret';
import { RoutingConfig, SourcesConfig } from '../ingress/webhooks/source-config';
import { ConsoleConfig } from '../console/console-config';
import { EvidenceConfig } from './evidence-config';
import { SlackConfig } from './slack-config';
import { IdentityCloudVendors } from './identity-cloud-vendors';
import { EndpointVendorsConfig } from './vendors-config';

/*
 * One schema over environment variables and the optional YAML file named by FIREBREAK_CONFIG. Environment wins over
 * the file. Secrets stay unresolved references here (`env:NAME`, `file:PATH`); worker/secrets.ts resolves them, so a
 * config error can never echo a secret value.
 */

const SecretRef = z.string().min(1);
const Port = z.coerce.number().int().min(0).max(65535);

/**
 * One API token with limits: the token by reference (`secret`) or only its SHA-256 in hex (`sha256`, so the config
 * file never holds a usable token), the scopes it may use (default all) and when it stops working.
 */
export const ApiToken = z
  .strictObject({
    secret: SecretRef.optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the token\'s SHA-256 in lower-case hex').optional(),
    scopes: z.array(TokenScope).min(1).optional(),
    expires: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((t) => (t.secret === undefined) !== (t.sha256 === undefined), { message: 'give exactly one of secret and sha256' });
export type ApiToken = z.infer<typeof ApiToken>;

export const Person = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'person ids are lower-case, e.g. alice or j.doe'),
  name: z.string().optional(),
  email: z.string().email().optional(),
  roles: z.array(z.string().min(1)).default([]),
  /** API tokens that act as this person on the HTTP API and CLI: secret references, or entries with scopes/expiry. */
  tokens: z.array(z.union([SecretRef, ApiToken])).default([]),
});
export type Person = z.infer<typeof Person>;

/** Header names as HTTP allows them (token characters), so a config typo can't smuggle a value into a name. */
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'expected an HTTP header name');
const EndpointName = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, 'endpoint and secret names are kebab-case, e.g. okta or edr');

/**
 * An HTTP endpoint runbooks call by name (`http.request`, containment adapters). Runbooks never carry URLs or
 * secrets: the URL lives here and secret headers are references resolved by the activity at call time.
 */
export const Endpoint = z.object({
  url: z
    .string()
    .url()
    .refine((url) => /^https?:/.test(url), 'endpoints are http or https URLs')
    .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), 'put credentials in headers (as secret references), not in the URL'),
  /** Hosts a call (after joining the path and following redirects) may reach; default: the URL's own host. */
  allowedHosts: z.array(z.string().min(1)).min(1).optional(),
  /** Headers sent on every call, e.g. `Authorization: env:OKTA_TOKEN`. Values are secret references. */
  headers: z.record(HeaderName, SecretRef).default({}),
  /** Secrets a runbook's `http.request` may place in a header of its choosing, by name; only ever sent to this endpoint. */
  secrets: z.record(EndpointName, SecretRef).default({}),
  timeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const Config = z.object({
  dataDir: z.string().min(1),
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: Port.default(8780),
      bodyLimitBytes: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
    })
    .default({ host: '127.0.0.1', port: 8780, bodyLimitBytes: 256 * 1024 }),
  temporal: z
    .object({
      /** Absent: run the embedded dev server. */
      address: z.string().optional(),
      namespace: z.string().default('default'),
      taskQueue: z.string().default('firebreak'),
      devServerPort: Port.default(7233),
      uiPort: Port.default(8233),
      /** History length at which a waiting incident continues as new; default 10,000 (Temporal's hard limit is 51,200). */
      historyEventLimit: z.coerce.number().int().min(50).max(40_000).optional(),
      /**
       * Least time between two signals of alert repeats this replica sends one incident (default 250 ms): an incident gets
       * at most (replicas x 1000 / this) a second, so a storm cannot keep it from continuing as new. 0: one at a time.
       */
      repeatWindowMs: z.coerce.number().int().min(0).max(5_000).optional(),
      tls: z
        .object({ serverName: z.string().optional(), caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() })
        .optional(),
      apiKey: SecretRef.optional(),
    })
    .default({ namespace: 'default', taskQueue: 'firebreak', devServerPort: 7233, uiPort: 8233 }),
  secrets: z
    .object({
      /** Standard Webhooks secret for the generic source; default: generated into the data dir. */
      webhookSigningSecret: SecretRef.optional(),
      adminToken: SecretRef.optional(),
      /** JSON `{ "current": "<id>", "keys": { "<id>": "<base64 32 bytes>" } }`. */
      payloadKeys: SecretRef.optional(),
      /** Ed25519 private key (PKCS#8 PEM) signing audit checkpoints; default: generated into the data dir. */
      auditSigningKey: SecretRef.optional(),
    })
    .default({}),
  email: z
    .object({
      /** `smtp://user:pass@host:port` or `smtps://...`; absent: every message goes to <data>/outbox as .eml. */
      smtpUrl: SecretRef.optional(),
      from: z.string().default('Firebreak <firebreak@localhost>'),
    })
    .default({ from: 'Firebreak <firebreak@localhost>' }),
  /** Roles held by the generated local admin token. */
  adminRoles: z.array(z.string().min(1)).default(['incident-commander']),
  people: z.array(Person).default([]),
  /** Named addresses runbooks refer to as `{{config.contacts.<name>}}`. */
  contacts: z.record(z.string(), z.string()).default({ security: 'security-team@localhost' }),
  runbooksDir: z.string().default(path.resolve(__dirname, '..', 'runbooks', 'library')),
  /** Alert senders by name (the `/v1/alerts/<name>` segment); `generic` is built in unless configured here. */
  sources: SourcesConfig,
  /** CEL routing rules over normalised alerts, tried before runbook `match`, and the fallback runbook. */
  routing: RoutingConfig,
  webhookToleranceSeconds: z.coerce.number().int().min(30).max(3600).default(300),
  shutdownGraceSeconds: z.coerce.number().int().min(0).max(600).default(20),
  endpoints: z.record(EndpointName, Endpoint).default({}),
  /** Which endpoint each containment adapter calls; absent: that adapter's steps fail with `containment.not_configured`. */
  containment: z
    .object({ identity: EndpointName.optional(), network: EndpointName.optional(), host: EndpointName.optional(), cloud: z.literal('aws').optional() })
    .default({}),
  /** Vendor settings for containment (`containment.host: crowdstrike` uses `vendors.crowdstrike`; Kubernetes whenever set). */
  vendors: EndpointVendorsConfig.extend(IdentityCloudVendors).default({}),
  /** Absent: no Slack; approvals and inputs work from the CLI and HTTP API. */
  slack: SlackConfig.optional(),
  audit: z
    .object({
      /** Every signed checkpoint is also mailed here (SMTP, or the outbox without it): a copy the log's host cannot rewrite. */
      checkpointEmail: z.string().email().optional(),
      /** Every signed checkpoint is also posted to this Slack channel (an id; the bot must be a member). Needs `slack`. */
      checkpointSlackChannel: z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a Slack channel id such as C012AB3CD').optional(),
    })
    .default({}),
  /** Where evidence is kept: the data dir by default, or an S3-compatible bucket. */
  evidence: EvidenceConfig,
  /** Roles whose API tokens may use the codec endpoint (the Temporal UI showing decrypted payloads). */
  codecRoles: z.array(z.string().min(1)).min(1).default(['incident-commander']),
  /** Origins of Temporal Web UIs (a cluster's UI server) whose browsers may call the codec endpoint, e.g. `https://temporal.example.com`. */
  codecOrigins: z.array(z.string().url().refine((value) => new URL(value).origin === value, 'expected an origin: scheme://host[:port], no path or trailing slash')).default([]),
  /**
   * Also accept the identity provider's access tokens at the codec endpoint (a cluster's Temporal UI with
   * `passAccessToken`): signed by `console.oidc.issuer`, with an `aud` in `audience`; the person and roles come from the
   * claims as at console sign-in (`personClaim`/`groupsClaim` default to the console's, `console.oidc.groupRoles` maps).
   */
  codecAccessTokens: z
    .object({
      audience: z.array(z.string().min(1)).min(1),
      personClaim: z.string().min(1).optional(),
      groupsClaim: z.string().min(1).optional(),
    })
    .optional(),
  /** The web console at `/console`: OIDC sign-in, sessions. */
  console: ConsoleConfig,
})
  .refine((config) => config.audit.checkpointSlackChannel === undefined || config.slack !== undefined, {
    message: 'posting checkpoints to Slack needs the slack section configured',
    path: ['audit', 'checkpointSlackChannel'],
  })
  .refine((config) => config.codecAccessTokens === undefined || config.console.oidc !== undefined, {
    message: 'accepting identity-provider tokens needs console.oidc (the provider whose tokens to accept: issuer, clientId)',
    path: ['codecAccessTokens'],
  });
export type Config = z.infer<typeof Config>;

export class ConfigError extends Error {
  readonly code = 'config.invalid';
  constructor(readonly problems: readonly string[]) {
    super(`Firebreak cannot start: bad configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Env var → path in the config object. Only these are read, so a typo in an env name is simply not a setting. */
const ENV_SETTINGS: Record<string, string[]> = {
  FIREBREAK_DATA_DIR: ['dataDir'],
  FIREBREAK_HTTP_HOST: ['http', 'host'],
  FIREBREAK_HTTP_PORT: ['http', 'port'],
  FIREBREAK_HTTP_BODY_LIMIT: ['http', 'bodyLimitBytes'],
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  TEMPORAL_TASK_QUEUE: ['temporal', 'taskQueue'],
  FIREBREAK_TEMPORAL_PORT: ['temporal', 'devServerPort'],
  FIREBREAK_TEMPORAL_UI_PORT: ['temporal', 'uiPort'],
  FIREBREAK_HISTORY_EVENT_LIMIT: ['temporal', 'historyEventLimit'],
  FIREBREAK_REPEAT_WINDOW_MS: ['temporal', 'repeatWindowMs'],
  TEMPORAL_TLS_SERVER_NAME: ['temporal', 'tls', 'serverName'],
  TEMPORAL_TLS_CA: ['temporal', 'tls', 'caFile'],
  TEMPORAL_TLS_CERT: ['temporal', 'tls', 'certFile'],
  TEMPORAL_TLS_KEY: ['temporal', 'tls', 'keyFile'],
  TEMPORAL_API_KEY: ['temporal', 'apiKey'],
  FIREBREAK_WEBHOOK_SECRET: ['secrets', 'webhookSigningSecret'],
  FIREBREAK_ADMIN_TOKEN: ['secrets', 'adminToken'],
  FIREBREAK_PAYLOAD_KEYS: ['secrets', 'payloadKeys'],
  FIREBREAK_AUDIT_SIGNING_KEY: ['secrets', 'auditSigningKey'],
  SMTP_URL: ['email', 'smtpUrl'],
  FIREBREAK_MAIL_FROM: ['email', 'from'],
  FIREBREAK_RUNBOOKS_DIR: ['runbooksDir'],
  FIREBREAK_EVIDENCE_STORE: ['evidence', 'store'],
  FIREBREAK_EVIDENCE_S3_BUCKET: ['evidence', 's3', 'bucket'],
  FIREBREAK_EVIDENCE_S3_REGION: ['evidence', 's3', 'region'],
  FIREBREAK_EVIDENCE_S3_ENDPOINT: ['evidence', 's3', 'endpoint'],
  FIREBREAK_EVIDENCE_S3_FORCE_PATH_STYLE: ['evidence', 's3', 'forcePathStyle'],
  FIREBREAK_EVIDENCE_S3_PREFIX: ['evidence', 's3', 'prefix'],
  FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID: ['evidence', 's3', 'accessKeyId'],
  FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY: ['evidence', 's3', 'secretAccessKey'],
  FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_MODE: ['evidence', 's3', 'objectLock', 'mode'],
  FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_DAYS: ['evidence', 's3', 'objectLock', 'days'],
};

/**
 * Secret settings whose env value may be the secret itself. Such a value becomes the reference `env:NAME`, so the
 * config object never holds a secret and resolution reads it from the process environment when needed.
 */
const LITERAL_SECRET_ENV = new Set(['TEMPORAL_API_KEY', 'FIREBREAK_WEBHOOK_SECRET', 'FIREBREAK_ADMIN_TOKEN', 'FIREBREAK_PAYLOAD_KEYS', 'FIREBREAK_AUDIT_SIGNING_KEY', 'SMTP_URL', 'FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID', 'FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY']);

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`FIREBREAK_CONFIG: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    const parsed: unknown = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 }) ?? {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`${file}: ${(error as Error).message.split('\n')[0]}`]);
  }
}

/**
 * Loads and validates the configuration. Thrown ConfigError lists every bad setting by its env var or file path,
 * and what is wrong with it, never the value itself.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = env.FIREBREAK_CONFIG ? readConfigFile(env.FIREBREAK_CONFIG) : {};
  const envNameOf = new Map<string, string>();
  for (const [name, keys] of Object.entries(ENV_SETTINGS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, keys, LITERAL_SECRET_ENV.has(name) && !isSecretReference(value) ? `env:${name}` : value);
    envNameOf.set(keys.join('.'), name);
  }
  raw.dataDir = path.resolve((raw.dataDir as string | undefined) ?? '.firebreak');
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const where = issue.path.join('.');
        const name = envNameOf.get(where) ?? (env.FIREBREAK_CONFIG ? `${env.FIREBREAK_CONFIG}: ${where}` : where);
        return `${name}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}
