import path from 'node:path';
import type { Document } from 'openapi-backend';
import { type HandlerAnswer, type ValidatedRequest, type ValidatingServer, loadApiDescription } from '../../helpers/openapi-validating-server';

/*
 * A small in-memory Kubernetes API server behind the request-validating server: pods (with logs), deployments,
 * nodes, network policies and events, the operations the adapter uses and nothing else. Every request is first checked
 * against the API server's own OpenAPI v3 documents (core/v1, apps/v1, networking.k8s.io/v1, merged here because one
 * API server serves all three).
 */

type Obj = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; uid?: string; [k: string]: unknown }; spec?: Record<string, unknown>; status?: Record<string, unknown>; [k: string]: unknown };

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', 'kubernetes', name);

/** One description for the API server: the three group-version documents' paths and schemas together. */
export function kubernetesDescription(): Document {
  const docs = ['core-v1.openapi.json', 'apps-v1.openapi.json', 'networking-v1.openapi.json'].map((f) => loadApiDescription(fixture(f)) as unknown as { paths: object; components: { schemas: object; securitySchemes?: object } });
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths: Object.assign({}, ...docs.map((d) => d.paths)),
    components: { schemas: Object.assign({}, ...docs.map((d) => d.components.schemas)), securitySchemes: docs[0]!.components.securitySchemes },
  } as unknown as Document;
}

/** RFC 7386 JSON merge patch: objects merge, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

const matches = (labels: Record<string, string> = {}, selector: string) =>
  selector.split(',').filter(Boolean).every((term) => {
    const [key, value] = term.split('=');
    return labels[key!] === value;
  });

export function kubernetesFake(server: ValidatingServer) {
  const pods = new Map<string, Obj>();
  const logs = new Map<string, string>();
  const workloads = new Map<string, Obj>();
  const nodes = new Map<string, Obj>();
  const policies = new Map<string, Obj>();
  const events: Obj[] = [];
  const patchContentTypes: string[] = [];
  const key = (ns: string | undefined, name: string) => `${ns}/${name}`;
  const notFound = (what: string): HandlerAnswer => ({ status: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', message: `${what} not found`, code: 404 } });
  const ok = (body: unknown): HandlerAnswer => ({ status: 200, body });
  const get = (map: Map<string, Obj>, kind: string) => (req: ValidatedRequest) => map.get(key(req.params.namespace, req.params.name!)) ?? notFound(kind);
  const asAnswer = (found: Obj | HandlerAnswer): HandlerAnswer => ('metadata' in found ? ok(found) : found);
  const patch = (map: Map<string, Obj>, kind: string) => (req: ValidatedRequest) => {
    patchContentTypes.push(String(req.headers['content-type']));
    const k = key(req.params.namespace, req.params.name!);
    const found = map.get(k);
    if (!found) return notFound(kind);
    const next = mergePatch(found, req.body) as Obj;
    map.set(k, next);
    return ok(next);
  };

  server.handle('readCoreV1NamespacedPod', (req) => asAnswer(get(pods, 'pod')(req)));
  server.handle('patchCoreV1NamespacedPod', patch(pods, 'pod'));
  server.handle('deleteCoreV1NamespacedPod', (req) => {
    const k = key(req.params.namespace, req.params.name!);
    const found = pods.get(k);
    if (!found) return notFound('pod');
    pods.delete(k);
    return ok(found);
  });
  server.handle('listCoreV1NamespacedPod', (req) =>
    ok({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...pods.values()].filter((p) => p.metadata.namespace === req.params.namespace && matches(p.metadata.labels, String(req.query.labelSelector ?? ''))) }),
  );
  server.handle('readCoreV1NamespacedPodLog', (req) => {
    const text = logs.get(`${req.params.namespace}/${req.params.name}/${req.query.container}${req.query.previous === 'true' ? '/previous' : ''}`);
    return text === undefined ? notFound('log') : { status: 200, body: text, headers: { 'content-type': 'text/plain' } };
  });
  server.handle('listCoreV1NamespacedEvent', (req) => {
    const name = /^involvedObject\.name=(.*)$/.exec(String(req.query.fieldSelector ?? ''))?.[1];
    return ok({ kind: 'EventList', apiVersion: 'v1', metadata: {}, items: events.filter((e) => e.metadata.namespace === req.params.namespace && (e.involvedObject as { name: string }).name === name) });
  });
  server.handle('readCoreV1Node', (req) => asAnswer(nodes.get(key(undefined, req.params.name!)) ?? notFound('node')));
  server.handle('patchCoreV1Node', (req) => {
    patchContentTypes.push(String(req.headers['content-type']));
    const found = nodes.get(key(undefined, req.params.name!));
    if (!found) return notFound('node');
    const next = mergePatch(found, req.body) as Obj;
    nodes.set(key(undefined, req.params.name!), next);
    return ok(next);
  });
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) {
    server.handle(`readAppsV1Namespaced${kind}`, (req) => asAnswer(get(workloads, kind)(req)));
    server.handle(`patchAppsV1Namespaced${kind}`, patch(workloads, kind));
  }
  server.handle('createNetworkingV1NamespacedNetworkPolicy', (req) => {
    const policy = req.body as Obj;
    const k = key(req.params.namespace, policy.metadata.name);
    if (policies.has(k)) return { status: 409, body: { kind: 'Status', reason: 'AlreadyExists', code: 409 } };
    policies.set(k, { ...policy, metadata: { ...policy.metadata, namespace: req.params.namespace, uid: `uid-${policies.size + 1}` } });
    return { status: 201, body: policies.get(k) };
  });
  server.handle('readNetworkingV1NamespacedNetworkPolicy', (req) => asAnswer(get(policies, 'networkpolicy')(req)));
  server.handle('deleteNetworkingV1NamespacedNetworkPolicy', (req) => {
    const k = key(req.params.namespace, req.params.name!);
    if (!policies.delete(k)) return notFound('networkpolicy');
    return ok({ kind: 'Status', apiVersion: 'v1', status: 'Success', code: 200 });
  });

  return {
    pods,
    logs,
    workloads,
    nodes,
    policies,
    events,
    patchContentTypes,
    addPod(namespace: string, name: string, labels: Record<string, string>, containers: Record<string, string>, restarted: Record<string, string> = {}) {
      pods.set(key(namespace, name), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace, labels, uid: `uid-${name}` },
        spec: { nodeName: 'node-a', containers: Object.keys(containers).map((c) => ({ name: c, image: 'registry.example/app:1' })) },
        status: { phase: 'Running', containerStatuses: Object.keys(containers).map((c) => ({ name: c, restartCount: c in restarted ? 1 : 0, ready: true, image: 'registry.example/app:1', imageID: '', started: true })) },
      });
      for (const [container, text] of Object.entries(containers)) logs.set(`${namespace}/${name}/${container}`, text);
      for (const [container, text] of Object.entries(restarted)) logs.set(`${namespace}/${name}/${container}/previous`, text);
    },
    addDeployment(namespace: string, name: string, matchLabels: Record<string, string>) {
      workloads.set(key(namespace, name), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels: { app: name } }, spec: { selector: { matchLabels }, template: { metadata: { labels: matchLabels } } } });
    },
    addNode(name: string, unschedulable?: boolean) {
      nodes.set(key(undefined, name), { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: unschedulable === undefined ? {} : { unschedulable } });
    },
    addEvent(namespace: string, kind: string, name: string, reason: string, message: string) {
      events.push({ apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${events.length}`, namespace }, involvedObject: { kind, name, namespace }, reason, message, type: 'Warning', count: 1 });
    },
  };
}

/** A kubeconfig for the fake API server with a service account bearer token, as a cluster admin would hand it over. */
export function kubeconfigFor(url: string, token = 'k8s-sa-token'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    // The fake serves plain HTTP on loopback; client-node allows http:// only with the TLS check switched off.
    `- name: incident-lab\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: firebreak\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: firebreak@incident-lab\n  context:\n    cluster: incident-lab\n    user: firebreak',
    'current-context: firebreak@incident-lab',
    '',
  ].join('\n');
}
