import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { NativeConnection } from '@temporalio/worker';
import { firebreakDataConverter } from '../codec/data-converter';
import type { Config } from './config';
import type { ResolvedSecrets } from './secrets';
import { temporalPlugins } from './tracing';

export interface TemporalTarget {
  address: string;
  namespace: string;
  taskQueue: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

function tlsFrom(config: Config, apiKey: boolean): TLSConfig | boolean | undefined {
  const tls = config.temporal.tls;
  if (!tls) return apiKey ? true : undefined; // Temporal Cloud API keys require TLS.
  return {
    serverNameOverride: tls.serverName,
    serverRootCACertificate: tls.caFile ? readFileSync(tls.caFile) : undefined,
    clientCertPair: tls.certFile && tls.keyFile ? { crt: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } : undefined,
  };
}

/** Where to reach Temporal: the configured cluster, or the embedded dev server's address. */
export function temporalTarget(config: Config, secrets: ResolvedSecrets, devServerAddress?: string): TemporalTarget {
  const address = config.temporal.address ?? devServerAddress;
  if (!address) throw new Error('no Temporal address: set TEMPORAL_ADDRESS or let Firebreak start its embedded server');
  const apiKey = secrets.temporalApiKey?.reveal();
  return { address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, tls: tlsFrom(config, Boolean(apiKey)), apiKey };
}

/** A Client whose payloads are encrypted with the keyring and whose failure text is encoded. */
export async function connectClient(target: TemporalTarget, secrets: ResolvedSecrets): Promise<Client> {
  // Lazy: an HTTP replica starts (and answers 503 + Retry-After) even while Temporal is unreachable.
  const connection = Connection.lazy({ address: target.address, tls: target.tls, apiKey: target.apiKey, connectTimeout: 3_000 });
  return new Client({ connection, namespace: target.namespace, dataConverter: firebreakDataConverter(secrets.keyring), plugins: temporalPlugins() });
}

export function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address, tls: target.tls, apiKey: target.apiKey });
}
