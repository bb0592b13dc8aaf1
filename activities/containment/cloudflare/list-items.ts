import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { BlockIpInput } from '../../../runbooks/actions/network';
import { VendorFailureType } from '../vendor-kit/failures';
import type { PlannedCall, VendorAction } from '../vendor-kit/action';
import type { VendorHttp, VendorRequest } from '../vendor-kit/vendor-http';
import { listItemValue } from './list-address';

/** The account-level custom IP list to block in: one config names by id, or by name (created on first use). */
export type CloudflareList = { id: string } | { name: string };

/** One item on the address in the list, as Cloudflare lists it. */
export interface ListItem {
  id: string;
  comment: string;
}

/** The items on one address in the list; the undo deletes exactly the items that were not there before. */
export interface ListAddressItems {
  /** The list's id, or `none` when a list named in config does not exist yet (the block creates it). */
  list: string;
  value: string;
  items: ListItem[];
}

type Answer<T> = { result?: T; result_info?: { cursors?: { after?: string } } };
type Operation = { id: string; status: 'pending' | 'running' | 'completed' | 'failed'; error?: string };

const NO_LIST = 'none';
/** Bulk operations usually finish in seconds; past this the step's retry reads again and decides anew. */
const OPERATION_WAIT_MS = 60_000;
const COMMENT = 'firebreak:';

/**
 * `network.block-ip` at Cloudflare as an item in an account-level custom IP list (a WAF custom rule such as
 * `ip.src in $firebreak_blocked` does the blocking; the list is what Firebreak changes). Reads first: an address
 * already in the list stays as it is, before and after the undo. Adding and deleting items are asynchronous bulk
 * operations, polled until Cloudflare reports them completed. The undo (`network.unblock-ip`) deletes exactly the
 * items the step added (those not there before it ran); a list it created on demand stays, since rules name it.
 * Needs an API token with Account Filter Lists: Edit (Account: Account Filter Lists Edit) on that account.
 */
export function cloudflareListBlock(http: VendorHttp, account: string, list: CloudflareList, pollMs = 1000): VendorAction<BlockIpInput, ListAddressItems> {
  const base = '/accounts/{account}/rules/lists';
  const listName = 'id' in list ? `list ${list.id}` : `list ${list.name}`;
  const comment = (input: BlockIpInput) => `${COMMENT} ${input.reason ?? 'blocked by an incident runbook'}`;

  const getLists: VendorRequest = { method: 'GET', path: base, params: { account }, target: `lists of account ${account}` };
  const createList = (name: string): VendorRequest => ({
    method: 'POST',
    path: base,
    params: { account },
    body: { name, kind: 'ip', description: 'Addresses blocked by Firebreak incident runbooks' },
    target: `list ${name}`,
  });
  const getItems = (id: string, value: string, cursor?: string): VendorRequest => ({
    method: 'GET',
    path: `${base}/{list}/items`,
    params: { account, list: id },
    query: { search: value, per_page: '500', ...(cursor ? { cursor } : {}) },
    target: `list ${id}`,
  });
  const addItem = (id: string, input: BlockIpInput): VendorRequest => ({
    method: 'POST',
    path: `${base}/{list}/items`,
    params: { account, list: id },
    body: [{ ip: listItemValue(input.ip), comment: comment(input) }],
    target: `list ${id}`,
  });
  const deleteItems = (id: string, items: string[]): VendorRequest => ({
    method: 'DELETE',
    path: `${base}/{list}/items`,
    params: { account, list: id },
    body: { items: items.map((item) => ({ id: item })) },
    target: `list ${id}`,
  });
  const getOperation = (operation: string): VendorRequest => ({
    method: 'GET',
    path: `${base}/bulk_operations/{operation}`,
    params: { account, operation },
    target: `bulk operation ${operation}`,
  });

  /** The configured list's id; a list named in config and not there yet is `none` (or created, when `create`). */
  async function listId(create: boolean): Promise<string> {
    if ('id' in list) return list.id;
    const lists = (await http.send<Answer<{ id: string; name: string; kind: string }[]>>(getLists)).body?.result ?? [];
    const found = lists.find((l) => l.name === list.name);
    if (found && found.kind !== 'ip') throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `cloudflare: list ${list.name} holds ${found.kind} items, not IP addresses`, nonRetryable: true });
    if (found || !create) return found?.id ?? NO_LIST;
    const created = await http.send<Answer<{ id: string }>>(createList(list.name));
    return created.body.result!.id;
  }

  /** Waits for a bulk operation; a failed one fails the step with Cloudflare's reason. */
  async function settle(operation: string): Promise<void> {
    const deadline = Date.now() + OPERATION_WAIT_MS;
    for (let wait = pollMs; ; wait = Math.min(wait * 2, 10_000)) {
      const status = (await http.send<Answer<Operation>>(getOperation(operation))).body.result!;
      if (status.status === 'completed') return;
      if (status.status === 'failed') throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `cloudflare: list operation ${operation} failed: ${status.error ?? 'no reason given'}`, nonRetryable: true });
      if (Date.now() > deadline) throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `cloudflare: list operation ${operation} still ${status.status}`, nonRetryable: false });
      heartbeat({ operation, status: status.status });
      await sleep(wait);
    }
  }

  async function read(input: BlockIpInput): Promise<ListAddressItems> {
    const value = listItemValue(input.ip);
    const id = await listId(false);
    const items: ListItem[] = [];
    // `search` matches items that start with the value; only the exact address or range is this block's business.
    for (let cursor: string | undefined, page = 0; id !== NO_LIST && page < 20; page++) {
      const answer = (await http.send<Answer<{ id: string; ip?: string; comment?: string }[]>>(getItems(id, value, cursor))).body;
      for (const item of answer.result ?? []) if (item.ip === value) items.push({ id: item.id, comment: item.comment ?? '' });
      cursor = answer.result_info?.cursors?.after;
      if (!cursor) break;
    }
    return { list: id, value, items: items.sort((a, b) => a.id.localeCompare(b.id)) };
  }

  return {
    vendor: 'cloudflare',
    name: 'network.block-ip',
    input: BlockIpInput,
    target: (input) => `address ${input.ip} (${listName} of account ${account})`,
    read,
    async run(input, current) {
      if (current.items.length > 0) return;
      const id = current.list === NO_LIST ? await listId(true) : current.list;
      const added = await http.send<Answer<{ operation_id: string }>>(addItem(id, input));
      await settle(added.body.result!.operation_id);
    },
    async restore(input, recorded, current) {
      const before = new Set((recorded?.items ?? []).map((item) => item.id));
      // Only items Firebreak added (its comment) that were not there before; with no recorded state (an unblock step on
      // its own), every item Firebreak added on the address.
      const ours = current.items.filter((item) => !before.has(item.id) && item.comment.startsWith(COMMENT));
      if (current.list === NO_LIST || ours.length === 0) return;
      const removed = await http.send<Answer<{ operation_id: string }>>(deleteItems(current.list, ours.map((item) => item.id)));
      await settle(removed.body.result!.operation_id);
    },
    plan: (input): PlannedCall[] => {
      const id = 'id' in list ? list.id : '<list id>';
      return [
        ...('name' in list ? [{ vendor: 'cloudflare', operation: `find list ${list.name}`, request: http.plan(getLists) }] : []),
        ...('name' in list ? [{ vendor: 'cloudflare', operation: `create list ${list.name}`, request: http.plan(createList(list.name)), when: 'only if the account has no list of that name' }] : []),
        { vendor: 'cloudflare', operation: `list items on the address (${listName})`, request: http.plan(getItems(id, listItemValue(input.ip))) },
        { vendor: 'cloudflare', operation: 'add the address to the list', request: http.plan(addItem(id, input)), when: 'only if the address is not in the list' },
        { vendor: 'cloudflare', operation: 'poll the bulk operation until completed', request: http.plan(getOperation('<operation id>')) },
      ];
    },
    planRestore: (input): PlannedCall[] => {
      const id = 'id' in list ? list.id : '<list id>';
      return [
        { vendor: 'cloudflare', operation: `list items on the address (${listName})`, request: http.plan(getItems(id, listItemValue(input.ip))) },
        { vendor: 'cloudflare', operation: 'delete the item the step added', request: http.plan(deleteItems(id, ['<item id>'])), when: 'only items that were not there before the step' },
        { vendor: 'cloudflare', operation: 'poll the bulk operation until completed', request: http.plan(getOperation('<operation id>')) },
      ];
    },
  };
}
