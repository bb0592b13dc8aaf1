import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { signDelivery, type SignDeliveryOptions } from '../../ingress/webhooks/delivery-signer';
import type { SourceKindName } from '../../ingress/webhooks/sources';
import type { IncidentStatus } from '../../workflows/incident/state';
import { type ApiAnswer, type FirebreakOptions, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/** Secrets a test source uses: the values (to sign with) and the env references the config file holds. */
export function secretEnv(prefix: string, values: Record<string, string>): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const name = `FB_TEST_${prefix}_${key}`.toUpperCase().replace(/\W/g, '_');
    process.env[name] = value;
    refs[key] = `env:${name}`;
  }
  return refs;
}

export const whsec = (): string => `whsec_${randomBytes(32).toString('base64')}`;
export const hexSecret = (): string => randomBytes(24).toString('hex');

export interface IngressConfig {
  sources?: Record<string, unknown>;
  routing?: Record<string, unknown>;
}

/** Firebreak with a config file holding `sources` and `routing`; everything else as FirebreakUnderTest gives it. */
export async function startIngress(ingress: IngressConfig, options: FirebreakOptions = {}): Promise<FirebreakUnderTest> {
  const dataDir = options.dataDir ?? tempDir('ingress');
  const configFile = path.join(dataDir, 'ingress.yaml');
  writeFileSync(configFile, toYaml({ ...options.config, sources: ingress.sources ?? {}, routing: ingress.routing ?? { rules: [] } }));
  return FirebreakUnderTest.start({ ...options, dataDir, env: { ...options.env, FIREBREAK_CONFIG: configFile } });
}

/** POSTs raw bytes to a source's endpoint with exactly these headers. */
export async function post(fb: FirebreakUnderTest, source: string, body: string | Buffer, headers: Record<string, string>): Promise<ApiAnswer> {
  const response = await fetch(`${fb.baseUrl}/v1/alerts/${source}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

export interface SendOptions extends SignDeliveryOptions {
  /** Changes the bytes after signing. */
  tamper?: (body: string) => string;
  headers?: Record<string, string>;
}

/** Signs `body` as the source kind's tool would (with `auth`, the resolved credentials) and POSTs it. */
export async function send(fb: FirebreakUnderTest, source: string, kind: SourceKindName, auth: unknown, body: unknown, opts: SendOptions = {}): Promise<ApiAnswer> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signed = signDelivery(kind, auth, raw, opts);
  return post(fb, source, opts.tamper ? opts.tamper(raw) : raw, { 'content-type': 'application/json', ...signed, ...opts.headers });
}

/** The incidents a delivery reached (alerts that reached none, such as a resolve for nothing, have no id). */
export const incidentIds = (answer: ApiAnswer): string[] => ((answer.body.incidents as { incidentId?: string }[] | undefined) ?? []).flatMap((i) => (i.incidentId ? [i.incidentId] : []));

export async function incident(fb: FirebreakUnderTest, id: string): Promise<IncidentStatus> {
  const answer = await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`);
  if (answer.status !== 200) throw new Error(`GET ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The value of `firebreak_alert_deliveries_total{source,outcome}` (0 when never counted). */
export async function deliveriesCounted(fb: FirebreakUnderTest, source: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${fb.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`firebreak_alert_deliveries_total{source="${source}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
