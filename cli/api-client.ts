/* eslint-disable @typescript-eslint/no-require-imports -- node:https loads only for an https URL */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the CLI finds Firebreak and who it acts as: env first, then the local data dir's generated admin token. */
export interface CliTarget {
  baseUrl: string;
  token?: string;
  dataDir: string;
}

export function cliTarget(env: NodeJS.ProcessEnv = process.env): CliTarget {
  const dataDir = path.resolve(env.FIREBREAK_DATA_DIR ?? '.firebreak');
  const port = env.FIREBREAK_HTTP_PORT ?? '8780';
  const tokenFile = path.join(dataDir, 'secrets', 'admin-token');
  const token = env.FIREBREAK_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  return { baseUrl: (env.FIREBREAK_URL ?? `http://127.0.0.1:${port}`).replace(/\/$/, ''), token, dataDir };
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One HTTP API call. Network failures become a CliError that says which URL could not be reached. Made with
 * node:http(s) rather than fetch: fetch loads undici at its first use, 50-100 ms of a command's whole run.
 */
export async function callApi(target: CliTarget, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  let answer: { status: number; text: string };
  try {
    answer = await request(new URL(`${target.baseUrl}${route}`), method, {
      ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
      ...headers,
    }, payload);
  } catch (error) {
    throw new CliError(`cannot reach Firebreak at ${target.baseUrl} (${(error as Error).message}). Is \`npm start\` running? Set FIREBREAK_URL otherwise.`);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = answer.text ? (JSON.parse(answer.text) as Record<string, unknown>) : {};
  } catch {
    parsed = { message: answer.text };
  }
  return { status: answer.status, body: parsed };
}

function request(url: URL, method: string, headers: Record<string, string>, payload: string | undefined): Promise<{ status: number; text: string }> {
  // https (and TLS) is loaded only for an https URL.
  const transport: typeof import('node:http') = url.protocol === 'https:' ? require('node:https') : require('node:http');
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Fails with the API's own error code and message when the answer is not 2xx. */
export function expectOk(answer: ApiAnswer): Record<string, unknown> {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const code = (answer.body.error as string | undefined) ?? `http.${answer.status}`;
  const issues = Array.isArray(answer.body.issues) ? (answer.body.issues as { path: unknown[]; message: string }[]).map((i) => `\n  ${i.path.join('.') || '(body)'}: ${i.message}`).join('') : '';
  throw new CliError(`${code}: ${(answer.body.message as string | undefined) ?? 'request failed'}${issues}`);
}
