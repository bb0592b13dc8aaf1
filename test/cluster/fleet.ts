import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../worker/config';
import { resolveSecrets } from '../../worker/secrets';
import { waitUntil } from '../helpers/poll';
import { type TemporalCluster, track } from './provision';

/*
 * Firebreak's own processes on a cluster, as the cluster tests run them: `firebreak serve` and `firebreak worker`
 * replicas, each with a data dir of its own that shares only the shared-volume folders (as on separate hosts), one
 * runbook (evidence, approval, notice by email) and one approver. Started, killed and stopped by name.
 */

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

/**
 * What docs/deploy.md puts on the volume every host mounts; everything else in a data dir stays on its host (the
 * webhook delivery ids seen, upload spools). The secrets folder stands for the same secrets given to every host.
 */
const SHARED_VOLUME = ['audit', 'evidence', 'mail-sent', 'slack', 'outbox', 'recipients', 'secrets', 'incident-generations'];

/** A data dir of its own for one process, with the shared-volume folders linked to the shared one. */
function hostDataDir(shared: string, name: string): string {
  const own = path.join(path.dirname(shared), `host-${name}`);
  mkdirSync(own, { recursive: true });
  for (const folder of SHARED_VOLUME) {
    mkdirSync(path.join(shared, folder), { recursive: true });
    try {
      symlinkSync(path.join(shared, folder), path.join(own, folder), 'dir');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // a restarted process keeps its host
    }
  }
  return own;
}

/** The runbook every cluster test runs: a step per activity kind worth killing, and the approval a person gives. */
export const noticeRunbook = (id: string) => `
id: ${id}
version: 1
title: Evidence, approval, notice
match: 'alert.source == "generic"'
roles:
  approve-disclosure: [legal]
steps:
  - id: preserve-alert
    action: evidence.capture
    with: { name: alert.json, from: alert }
  - id: approve-notice
    approval: { role: approve-disclosure }
  - id: send-notice
    action: notify.email
    with: { to: soc@example.test, subject: 'Notice: {{alert.title}}', body: 'See incident {{incident.id}}' }
`;

export interface Fleet {
  env: NodeJS.ProcessEnv;
  webhookSecret: string;
  adminToken: string;
  approverToken: string;
  processes: Map<string, ChildProcess>;
  /** Starts (or restarts) `name`; a `serve` listening on `listen` resolves once its /healthz answers 200. */
  spawn(name: string, command: 'serve' | 'worker', listen?: URL): Promise<void>;
  /** kill -9, resolving once the process is gone. */
  kill9(name: string): Promise<void>;
  /** `firebreak audit verify` against the shared audit log and, through `replica`, the heads Temporal recorded. */
  verifyAudit(replica: string): Promise<{ ok: boolean; output: string }>;
  /** SIGTERM to every process still running, then removes the data dirs and runbooks; resolves once all have exited. */
  stop(): Promise<void>;
}

/**
 * The environment every Firebreak process on `cluster` shares, with its generated secrets read back. Sets SMTP_URL and
 * the approver's token in this process's environment, where the secret references resolve; `stop` puts them back.
 */
export function fleetOn(cluster: TemporalCluster, smtpPort: number, runbookId: string): Fleet {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'firebreak-cluster-data-')), 'shared');
  mkdirSync(dataDir);
  const runbooks = mkdtempSync(path.join(os.tmpdir(), 'firebreak-cluster-runbooks-'));
  writeFileSync(path.join(runbooks, `${runbookId}.yaml`), noticeRunbook(runbookId));
  const configFile = path.join(dataDir, 'firebreak.yaml');
  writeFileSync(configFile, toYaml({ people: [{ id: 'lee', roles: ['legal'], tokens: ['env:CLUSTER_APPROVER_TOKEN'] }] }));
  const approverToken = 'cluster-approver-token';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: cluster.address,
    TEMPORAL_NAMESPACE: cluster.namespace,
    // The shared volume the deployment guide asks for (audit log, sent markers, evidence, Slack message ids); each
    // process gets a data dir of its own linking to it (hostDataDir). The secrets are generated here once, below.
    FIREBREAK_DATA_DIR: dataDir,
    FIREBREAK_CONFIG: configFile,
    FIREBREAK_RUNBOOKS_DIR: runbooks,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    CLUSTER_APPROVER_TOKEN: approverToken,
    FIREBREAK_LOG_LEVEL: 'error',
  };
  const before = { SMTP_URL: process.env.SMTP_URL, CLUSTER_APPROVER_TOKEN: process.env.CLUSTER_APPROVER_TOKEN };
  process.env.SMTP_URL = env.SMTP_URL;
  process.env.CLUSTER_APPROVER_TOKEN = approverToken;
  const secrets = resolveSecrets(loadConfig(env));
  const processes = new Map<string, ChildProcess>();

  return {
    env,
    webhookSecret: secrets.webhookSigningSecret.reveal(),
    adminToken: secrets.adminToken.reveal(),
    approverToken,
    processes,
    async spawn(name, command, listen) {
      const host = { FIREBREAK_DATA_DIR: hostDataDir(dataDir, name), ...(listen && { FIREBREAK_HTTP_HOST: listen.hostname, FIREBREAK_HTTP_PORT: listen.port }) };
      const child = track(spawn(process.execPath, [cliPath, command], { env: { ...env, ...host }, stdio: ['ignore', 'ignore', 'inherit'] }));
      processes.set(name, child);
      if (listen) await waitUntil(`${name} healthy`, 240_000, async () => (await fetch(new URL('/healthz', listen)).then((r) => r.status, () => 0)) === 200, 500);
    },
    async kill9(name) {
      const child = processes.get(name)!;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async verifyAudit(replica) {
      return run(process.execPath, [cliPath, 'audit', 'verify'], { env: { ...env, FIREBREAK_URL: replica } }).then(
        ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
        (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
      );
    },
    async stop() {
      await Promise.all(
        [...processes.values()].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        }),
      );
      for (const dir of [path.dirname(dataDir), runbooks]) rmSync(dir, { recursive: true, force: true });
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
