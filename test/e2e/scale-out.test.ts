import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { eventually } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { sharedTemporal, tempDir } from '../helpers/temporal';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

describe('firebreak serve and firebreak worker as separate processes against one cluster', function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let baseUrl: string;

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      TEMPORAL_ADDRESS: (await sharedTemporal()).address,
      TEMPORAL_TASK_QUEUE: `scale-${randomUUID()}`,
      FIREBREAK_DATA_DIR: tempDir('scale'),
      FIREBREAK_HTTP_PORT: String(port),
      FIREBREAK_URL: baseUrl,
      FIREBREAK_LOG_LEVEL: 'warn',
    };
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const start = (command: string): ChildProcess => {
    const child = spawn(process.execPath, [cliPath, command], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    return child;
  };
  const health = async () => {
    try {
      return (await fetch(`${baseUrl}/healthz`)).status;
    } catch {
      return undefined;
    }
  };
  const cli = async (...args: string[]) => (await run(process.execPath, [cliPath, ...args], { env })).stdout;

  it('is unhealthy until a worker polls, runs an incident end to end, and both stop cleanly on SIGTERM', async () => {
    const serve = start('serve');
    assert.equal(await eventually(async () => ((await health()) === 503 ? 503 : undefined), 60_000, 'serve to answer'), 503);
    const worker = start('worker');
    await eventually(async () => ((await health()) === 200 ? true : undefined), 60_000, 'a polling worker');

    // A fingerprint of its own: the example alert's would join an incident another test left open on the shared server.
    const alertFile = path.join(env.FIREBREAK_DATA_DIR!, 'alert.json');
    writeFileSync(alertFile, JSON.stringify({ title: `Scale-out check ${randomUUID()}`, severity: 'high' }));
    const id = /accepted: (\S+)/.exec(await cli('alert', 'send', '--file', alertFile))![1]!;
    await eventually(async () => (JSON.parse(await cli('incident', id, '--json')).steps.some((s: { id: string; state: string }) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined), 60_000);
    await cli('approve', id, 'approve-notice', '--reason', 'approved from another process');
    await eventually(async () => (JSON.parse(await cli('incident', id, '--json')).phase === 'completed' ? true : undefined), 60_000);

    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    assert.match(metrics, /firebreak_alert_deliveries_total\{source="generic",outcome="accepted"\} 1/);

    serve.kill('SIGTERM');
    worker.kill('SIGTERM');
    const [[serveCode], [workerCode]] = await Promise.all([once(serve, 'exit'), once(worker, 'exit')]);
    assert.deepEqual([serveCode, workerCode], [0, 0]);
  });
});
