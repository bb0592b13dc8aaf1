import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * The programs the cluster runs: the Temporal server and its schema tool, built from the Go module proxy into
 * git-ignored .tools/ (pinned, reused), and PostgreSQL from Debian's packages. Run directly
 * (`npx tsx test/cluster/binaries.ts`) it builds what is missing and says how long that took: .ci/run starts it in the
 * background at low priority while the main suite runs.
 */

const run = promisify(execFile);

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const repoRoot = path.resolve(__dirname, '..', '..');
const goDir = path.join(repoRoot, '.tools', 'go');
const binDir = path.join(repoRoot, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
const goEnv = {
  ...process.env,
  CGO_ENABLED: '0',
  GOBIN: binDir,
  GOPATH: path.join(goDir, 'path'),
  GOCACHE: path.join(goDir, 'cache'),
  GOMODCACHE: path.join(goDir, 'modcache'),
  GOFLAGS: '-modcacherw',
};
const server = path.join(binDir, 'server');
const sql = path.join(binDir, 'sql');
const schemaDir = path.join(goEnv.GOMODCACHE, `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
const PACKAGES = [[server, 'cmd/server'], [sql, 'cmd/tools/sql']] as const;

export interface ServerBinaries {
  server: string;
  sql: string;
  schemaDir: string;
  /** Seconds spent building; 0 when both were already there. */
  builtInSeconds: number;
}

const built = (binary: string) => existsSync(binary) && existsSync(schemaDir);

/** The pinned server and schema tool, built from the Go module proxy into git-ignored .tools/ once, then reused. */
export async function serverBinaries(log: (line: string) => void = () => {}): Promise<ServerBinaries> {
  const began = Date.now();
  for (const [binary, pkg] of PACKAGES) {
    if (built(binary)) continue;
    log(`building go.temporal.io/server/${pkg}@${TEMPORAL_SERVER_VERSION} (9 to 14 minutes cold on 2 cores)`);
    await run('go', ['install', `go.temporal.io/server/${pkg}@${TEMPORAL_SERVER_VERSION}`], { env: goEnv, maxBuffer: 64 << 20 });
  }
  return { server, sql, schemaDir, builtInSeconds: Math.round((Date.now() - began) / 1000) };
}

export function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, 'bin', name)).find((p) => existsSync(p));
  if (!found) throw new Error(`PostgreSQL's ${name} not found under ${root} (apt-get install postgresql)`);
  return found;
}

/** Why a cluster cannot be started here (no PostgreSQL; no Go and no cached build), or undefined when it can. */
export async function missingPrerequisite(): Promise<string | undefined> {
  try {
    pgBin('initdb');
  } catch (error) {
    return (error as Error).message;
  }
  if (PACKAGES.every(([binary]) => built(binary))) return undefined;
  try {
    await run('go', ['version'], { env: goEnv });
    return undefined;
  } catch {
    return `no Go toolchain on PATH to build the Temporal server ${TEMPORAL_SERVER_VERSION}, and no cached build in ${binDir}`;
  }
}

if (require.main === module) {
  void serverBinaries((line) => console.log(line)).then(
    (binaries) => console.log(`Temporal server ${TEMPORAL_SERVER_VERSION} and schema tool ready in ${binDir} (built in ${binaries.builtInSeconds} s)`),
    (error: Error & { stderr?: string }) => {
      console.error(`building the Temporal server ${TEMPORAL_SERVER_VERSION} failed: ${error.message}${error.stderr ? `\n${error.stderr}` : ''}`);
      process.exitCode = 1;
    },
  );
}
