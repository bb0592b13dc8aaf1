/*
 * What real Slack refuses, so the fake refuses it too and a call that Slack would reject fails a test. Limits are
 * from api.slack.com's reference pages (read 2026-12): Block Kit "section" (text at most 3,000 characters), "plain_text_input"
 * (max_length at most 3,000, min_length at most 3,000), "Blocks" (at most 50 in a message, 100 in a modal), "View
 * objects" (title at most 24 characters, submit and close at most 24), "conversations.create" (names: lowercase letters,
 * numbers, hyphens and underscores, at most 80 characters).
 */

type Json = Record<string, unknown>;

const TEXT_MAX = 3000;
const INPUT_MAX = 3000;
const MESSAGE_BLOCKS = 50;
const VIEW_BLOCKS = 100;
const VIEW_TEXT_MAX = 24;
const CHANNEL_NAME = /^[a-z0-9_-]+$/;

/** Slack's error for `args` of `method`, or undefined when Slack would accept them. */
export function slackRefusal(method: string, args: Json): { error: string; detail: string } | undefined {
  switch (method) {
    case 'chat.postMessage':
    case 'chat.update':
      return blocksRefusal(args.blocks, MESSAGE_BLOCKS);
    case 'views.open':
    case 'views.update':
    case 'views.push':
      return viewRefusal(args.view as Json | undefined);
    case 'conversations.create':
      return channelNameRefusal(String(args.name ?? ''));
    default:
      return undefined;
  }
}

function channelNameRefusal(name: string): { error: string; detail: string } | undefined {
  if (name === '') return { error: 'invalid_name_required', detail: 'name is required' };
  if (name.length > 80) return { error: 'invalid_name_maxlength', detail: `name is ${name.length} characters (at most 80)` };
  if (!CHANNEL_NAME.test(name)) return { error: 'invalid_name_specials', detail: `name "${name}" has characters other than a-z 0-9 - _` };
  return undefined;
}

function viewRefusal(view: Json | undefined): { error: string; detail: string } | undefined {
  if (!view) return { error: 'invalid_arguments', detail: 'view is required' };
  for (const key of ['title', 'submit', 'close'] as const) {
    const text = (view[key] as Json | undefined)?.text;
    if (typeof text === 'string' && text.length > VIEW_TEXT_MAX) return { error: 'invalid_arguments', detail: `view.${key}.text is ${text.length} characters (at most ${VIEW_TEXT_MAX})` };
  }
  return blocksRefusal(view.blocks, VIEW_BLOCKS);
}

function blocksRefusal(raw: unknown, maxBlocks: number): { error: string; detail: string } | undefined {
  if (raw === undefined) return undefined;
  const blocks = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Json[];
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks', detail: 'blocks is not an array' };
  if (blocks.length > maxBlocks) return { error: 'invalid_blocks', detail: `${blocks.length} blocks (at most ${maxBlocks})` };
  for (const [i, block] of blocks.entries()) {
    const problem = blockProblem(block);
    if (problem) return { error: 'invalid_blocks', detail: `blocks[${i}]: ${problem}` };
  }
  return undefined;
}

function blockProblem(block: Json): string | undefined {
  const text = (block.text as Json | undefined)?.text;
  if (typeof text === 'string' && text.length > TEXT_MAX) return `text is ${text.length} characters (at most ${TEXT_MAX})`;
  const element = block.element as Json | undefined;
  if (element?.type === 'plain_text_input') {
    for (const key of ['max_length', 'min_length'] as const) {
      const value = element[key];
      if (typeof value === 'number' && value > INPUT_MAX) return `element.${key} is ${value} (at most ${INPUT_MAX})`;
    }
  }
  for (const item of (block.elements as Json[] | undefined) ?? []) {
    const itemText = typeof item.text === 'string' ? item.text : (item.text as Json | undefined)?.text;
    if (typeof itemText === 'string' && itemText.length > TEXT_MAX) return `an element's text is ${itemText.length} characters (at most ${TEXT_MAX})`;
  }
  return undefined;
}
