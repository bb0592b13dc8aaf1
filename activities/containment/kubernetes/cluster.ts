import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { SecretValue } from '../vendor-kit/oauth-token';

/** How the worker reaches the cluster: its own service account when it runs in the cluster, or a kubeconfig. */
export type ClusterAccess = { inCluster: true } | { kubeconfig: () => SecretValue; context?: string };

export interface Cluster {
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  /** The API server's URL, for dry runs. */
  server: string;
}

/** The JSON merge patch content type; client-node otherwise sends JSON Patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Builds the clients per call, so a rotated `file:` kubeconfig (or a renewed service account token) is picked up. */
export function connect(access: ClusterAccess): Cluster {
  const kc = new KubeConfig();
  if ('inCluster' in access) kc.loadFromCluster();
  else {
    kc.loadFromString(access.kubeconfig().reveal());
    if (access.context) kc.setCurrentContext(access.context);
  }
  return { core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), networking: kc.makeApiClient(NetworkingV1Api), server: kc.getCurrentCluster()?.server ?? '(in cluster)' };
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  return undefined;
}

/**
 * Runs one API call and turns the API server's refusals into the failure types the step's retry policy knows
 * (the same ones the HTTP vendors use). Messages name the call and the object, never the request or the credentials.
 * `accept` lists statuses that are an answer (404 when asking whether something exists): they resolve to undefined.
 */
export async function kube<T>(what: string, target: string, call: () => Promise<T>, accept: readonly number[] = []): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined && accept.includes(status)) return undefined;
    const details = [{ vendor: 'kubernetes', call: what, target, status }];
    const fail = (type: VendorFailureType, message: string, nonRetryable: boolean, nextRetryDelay?: number): never => {
      throw ApplicationFailure.create({ type, message, nonRetryable, details, ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}) });
    };
    if (status === undefined) return fail(VendorFailureType.Unavailable, `kubernetes ${what} failed (${(error as Error).name})`, false);
    if (status === 429) {
      const retryAfter = Number((error as ApiException<unknown>).headers?.['retry-after']);
      return fail(VendorFailureType.RateLimited, `kubernetes answered 429 to ${what}`, false, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    }
    if (status >= 500 || status === 408) return fail(VendorFailureType.Unavailable, `kubernetes answered ${status} to ${what}`, false);
    if (status === 404) return fail(VendorFailureType.TargetNotFound, `${target} not found in kubernetes`, true);
    if (status === 401 || status === 403) return fail(VendorFailureType.Unauthorized, `kubernetes answered ${status} to ${what}: check the service account and the Role the README lists`, true);
    return fail(VendorFailureType.Refused, `kubernetes answered ${status} to ${what}`, true);
  }
}

/** A required answer: `kube` without accepted statuses never resolves to undefined. */
export async function must<T>(what: string, target: string, call: () => Promise<T>): Promise<T> {
  return (await kube(what, target, call)) as T;
}
