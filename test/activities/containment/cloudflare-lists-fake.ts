import type { ValidatedRequest, ValidatingServer } from '../../helpers/openapi-validating-server';

export interface CloudflareListItem {
  id: string;
  ip: string;
  comment?: string;
}
export interface CloudflareListFake {
  id: string;
  name: string;
  kind: string;
  items: CloudflareListItem[];
}

/**
 * Cloudflare's Lists API as the adapter sees it: lists per account, items added and deleted by bulk operations that
 * stay `pending` for `pendingPolls` status reads before they apply (Cloudflare applies them asynchronously).
 */
export function listsFake(server: ValidatingServer, pendingPolls = 1) {
  const lists: CloudflareListFake[] = [];
  const operations = new Map<string, { polls: number; apply: () => void }>();
  let next = 1;
  const id = () => (next++).toString(16).padStart(32, '0');
  const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({ status: 200, body: { success: true, errors: [], messages: [], result, ...extra } });
  const find = (req: ValidatedRequest) => lists.find((l) => l.id === req.params.list_id);
  const operation = (apply: () => void) => {
    const operationId = id();
    operations.set(operationId, { polls: 0, apply });
    return ok({ operation_id: operationId });
  };
  server.handle('lists-get-lists', () => ok(lists.map(({ items, ...list }) => ({ ...list, num_items: items.length, created_on: '2026-01-01T00:00:00Z', modified_on: '2026-01-01T00:00:00Z' }))));
  server.handle('lists-create-a-list', (req) => {
    const body = req.body as { name: string; kind: string };
    const list = { id: id(), name: body.name, kind: body.kind, items: [] };
    lists.push(list);
    return ok({ id: list.id, name: list.name, kind: list.kind, num_items: 0 });
  });
  server.handle('lists-get-list-items', (req) => {
    const list = find(req);
    if (!list) return { status: 404, body: { success: false, errors: [{ code: 10000, message: 'list not found' }], messages: [], result: null } };
    // Cloudflare: an IP item matches when it starts with the search string.
    const found = list.items.filter((item) => req.query.search === undefined || item.ip.startsWith(String(req.query.search)));
    return ok(found, { result_info: { cursors: {} } });
  });
  server.handle('lists-create-list-items', (req) => {
    const list = find(req)!;
    return operation(() => {
      for (const item of req.body as { ip: string; comment?: string }[]) if (!list.items.some((i) => i.ip === item.ip)) list.items.push({ id: id(), ...item });
    });
  });
  server.handle('lists-delete-list-items', (req) => {
    const list = find(req)!;
    const ids = (req.body as { items: { id: string }[] }).items.map((item) => item.id);
    return operation(() => {
      list.items = list.items.filter((item) => !ids.includes(item.id));
    });
  });
  server.handle('lists-get-bulk-operation-status', (req) => {
    const op = operations.get(req.params.operation_id!)!;
    if (op.polls++ < pendingPolls) return ok({ id: req.params.operation_id, status: 'pending' });
    op.apply();
    op.apply = () => undefined;
    return ok({ id: req.params.operation_id, status: 'completed', completed: '2026-01-01T00:00:01Z' });
  });
  return lists;
}
