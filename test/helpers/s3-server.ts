import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { type Progress, pipInstall, stderrProgress, venvDir } from '../../worker/temporal-binaries';
import { freePort } from './net';

/*
 * A real S3-compatible server for the evidence-store tests: moto's standalone server (PyPI `moto[server]`, pinned),
 * installed into the same git-ignored .tools/py virtualenv as the Temporal binaries and started on a loopback port
 * per test file. It speaks the S3 REST API, including conditional writes (If-None-Match, If-Match) and Object Lock.
 */

export const MOTO_VERSION = '5.2.5';

/** Test-only credentials: moto accepts any, and they let tests check the configured ones are what gets used. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'firebreak-test-key-id', secretAccessKey: `test-secret-${randomUUID()}` };

function installedVersionMatches(): boolean {
  const lib = path.join(venvDir, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((python) => existsSync(path.join(lib, python, 'site-packages', `moto-${MOTO_VERSION}.dist-info`)));
}

/** Installs the pinned moto into .tools/py unless it is there; the reason when that failed. */
export function provisionMoto(progress: Progress = stderrProgress): { ready: boolean; reason?: string } {
  if (installedVersionMatches()) return { ready: true };
  progress(`installing moto[server]==${MOTO_VERSION} from PyPI into ${venvDir} (one time; the S3 evidence tests use it)`);
  try {
    if (pipInstall(progress, `moto[server]==${MOTO_VERSION}`) && installedVersionMatches()) return { ready: true };
    return { ready: false, reason: `pip install moto[server]==${MOTO_VERSION} into ${venvDir} failed` };
  } catch (error) {
    return { ready: false, reason: (error as Error).message };
  }
}

export interface S3TestServer {
  endpoint: string;
  /** A raw client with the test credentials, for what Firebreak must never do itself (overwriting an object). */
  client: S3Client;
  /** A fresh bucket (optionally with Object Lock), so tests never see each other's keys. */
  createBucket(opts?: { objectLock?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

/** Starts moto on a free loopback port; resolves `{ skip }` with the reason when moto cannot be installed. */
export async function startS3Server(): Promise<S3TestServer | { skip: string }> {
  const moto = provisionMoto();
  if (!moto.ready) return { skip: `no S3-compatible test server: ${moto.reason}` };
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // S3 makes a conditional write atomic; moto checks, then writes, on a thread per request. Writes go one at a time
  // (reads stay concurrent), so a race between concurrent captures or custody appends is decided as S3 decides it.
  const serialWrites = [
    'import sys, threading, moto.server as s',
    'lock = threading.Lock()',
    'class SerialWrites(s.DomainDispatcherApplication):',
    '    def __call__(self, environ, start_response):',
    "        if environ['REQUEST_METHOD'] in ('GET', 'HEAD'): return super().__call__(environ, start_response)",
    '        with lock: return list(super().__call__(environ, start_response))',
    's.DomainDispatcherApplication = SerialWrites',
    's.main(sys.argv[1:])',
  ].join('\n');
  const child: ChildProcess = spawn(path.join(venvDir, 'bin', 'python'), ['-c', serialWrites, '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto on ${endpoint} not ready within 60s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: S3_TEST_CREDENTIALS });
  return {
    endpoint,
    client,
    async createBucket(opts = {}) {
      const bucket = `fb-${randomUUID().slice(0, 18)}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: opts.objectLock }));
      return bucket;
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** CI entry: `npx tsx test/helpers/s3-server.ts` installs moto up front, so the first test doesn't pay for it. */
if (require.main === module) {
  const { ready, reason } = provisionMoto();
  if (!ready) {
    console.error(reason);
    process.exit(1);
  }
  console.log(`moto ${MOTO_VERSION}: ${venvDir}`);
}
