import type { ValidatingServer, ValidatedRequest } from '../../helpers/openapi-validating-server';

/*
 * Each EDR vendor's behaviour, as much as the adapters rely on, behind the request-validating server: hosts with an
 * isolation state that the vendor's own action requests change. What the scenario reads back is what the vendor
 * would show in its console.
 */

export interface FakeHost {
  id: string;
  hostname: string;
  isolated: boolean;
}

const json = (status: number, body: unknown) => ({ status, body });

export function crowdstrikeFake(server: ValidatingServer, hosts: FakeHost[], tokens: { issued: number }) {
  server.route('POST', '/oauth2/token', (form) => {
    if (!form.get('client_id') || !form.get('client_secret')) return json(400, { errors: [{ message: 'client_id and client_secret are required' }] });
    if (form.get('client_secret') !== 'cs-secret-value') return json(401, { errors: [{ message: 'access denied' }] });
    tokens.issued++;
    return json(201, { access_token: `cs-token-${tokens.issued}`, expires_in: 1799, token_type: 'bearer' });
  });
  server.handle('QueryDevicesByFilter', (req) => {
    const name = /^hostname:'(.*)'$/.exec(String(req.query.filter))?.[1];
    return json(200, { resources: hosts.filter((h) => h.hostname === name).map((h) => h.id), errors: [], meta: {} });
  });
  server.handle('GetDeviceDetailsV2', (req) => {
    const ids = [req.query.ids].flat();
    return json(200, { resources: hosts.filter((h) => ids.includes(h.id)).map((h) => ({ device_id: h.id, hostname: h.hostname, status: h.isolated ? 'contained' : 'normal' })), errors: [], meta: {} });
  });
  server.handle('PerformActionV2', (req: ValidatedRequest) => {
    const ids = (req.body as { ids: string[] }).ids;
    for (const host of hosts) if (ids.includes(host.id)) host.isolated = req.query.action_name === 'contain';
    return json(202, { resources: ids.map((id) => ({ id })), errors: [], meta: {} });
  });
}

export function defenderFake(server: ValidatingServer, hosts: FakeHost[]) {
  const actions: { id: string; machineId: string; type: string; status: string; creationDateTimeUtc: string; requestorComment: string }[] = [];
  let clock = Date.now();
  const act = (req: ValidatedRequest, type: string) => {
    const host = hosts.find((h) => h.id === req.params.id);
    if (!host) return json(404, { error: { code: 'ResourceNotFound' } });
    host.isolated = type === 'Isolate';
    const action = { id: `action-${actions.length + 1}`, machineId: host.id, type, status: 'Pending', creationDateTimeUtc: new Date((clock += 1000)).toISOString(), requestorComment: String((req.body as { Comment: string }).Comment) };
    actions.push(action);
    return json(201, action);
  };
  server.handle('listMachines', (req) => {
    const name = /^computerDnsName eq '(.*)'$/.exec(String(req.query.$filter))?.[1]?.replace(/''/g, "'");
    return json(200, { value: hosts.filter((h) => h.hostname === name).map((h) => ({ id: h.id, computerDnsName: h.hostname })) });
  });
  server.handle('getMachine', (req) => {
    const host = hosts.find((h) => h.id === req.params.id);
    return host ? json(200, { id: host.id, computerDnsName: host.hostname }) : json(404, { error: { code: 'ResourceNotFound' } });
  });
  server.handle('listMachineActions', (req) => {
    const machineId = /^machineId eq '(.*)'$/.exec(String(req.query.$filter))?.[1];
    return json(200, { value: actions.filter((a) => a.machineId === machineId) });
  });
  server.handle('isolateMachine', (req) => act(req, 'Isolate'));
  server.handle('unisolateMachine', (req) => act(req, 'Unisolate'));
  return { actions, seed: (host: FakeHost) => host.isolated && actions.push({ id: `seed-${host.id}`, machineId: host.id, type: 'Isolate', status: 'Succeeded', creationDateTimeUtc: new Date(clock - 86_400_000).toISOString(), requestorComment: 'isolated by hand' }) };
}

export function sentineloneFake(server: ValidatingServer, hosts: FakeHost[]) {
  server.handle('webApiAgentsGet', (req) => {
    const ids = req.query.ids === undefined ? undefined : String(req.query.ids).split(',');
    const found = hosts.filter((h) => (ids ? ids.includes(h.id) : h.hostname === req.query.computerName));
    return json(200, { data: found.map((h) => ({ id: h.id, computerName: h.hostname, networkStatus: h.isolated ? 'disconnected' : 'connected' })), pagination: { totalItems: found.length } });
  });
  const act = (req: ValidatedRequest, isolated: boolean) => {
    const ids = (req.body as { filter: { ids: string[] } }).filter.ids;
    const affected = hosts.filter((h) => ids.includes(h.id));
    for (const host of affected) host.isolated = isolated;
    return json(200, { data: { affected: affected.length } });
  };
  server.handle('webApiAgentsActionsDisconnectPost', (req) => act(req, true));
  server.handle('webApiAgentsActionsConnectPost', (req) => act(req, false));
}
