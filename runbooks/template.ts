/*
 * Logic-less templates: `{{alert.labels.user}}`, `{{answers.aware-at}}`, `{{steps.preserve-alert.sha256}}`.
 * Workflow code imports this module, so it uses no Node builtins and no dependencies, and its output
 * depends only on its input (replay must render the same text).
 */

/** The roots a template may read. `config` is resolved by activities, the rest by the workflow. */
export const TEMPLATE_ROOTS = ['alert', 'answers', 'steps', 'incident', 'config'] as const;

/** What templates read from: any plain JSON-like object keyed by root name. */
export type TemplateScope = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  /**
   * What a reference to a missing value does. `throw` (the default) raises TemplateMissingValueError, so an
   * email is never sent to an empty address; `empty` renders it as the empty string.
   */
  missing?: 'throw' | 'empty';
  /**
   * Render only references under these roots and leave the others as written, e.g. the workflow renders
   * `alert`, `answers`, `steps` and `incident` and leaves `{{config.*}}` for the activity that has config.
   */
  only?: readonly string[];
}

/** Thrown when a template is malformed: an unclosed `{{` or a reference that is not a dotted path. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

/** Thrown (unless `missing: 'empty'`) when a reference names a value the scope does not have. */
export class TemplateMissingValueError extends Error {
  constructor(readonly variable: string) {
    super(`template value "${variable}" is missing`);
    this.name = 'TemplateMissingValueError';
  }
}

// Segments allow dashes because step and answer ids are kebab-case.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const WHOLE_REFERENCE = /^\{\{[^{}]*\}\}$/;

type Part = { text: string } | { path: string[]; name: string };

function parse(text: string): Part[] {
  const parts: Part[] = [];
  let cursor = 0;
  while (cursor < text.length) {
    const open = text.indexOf('{{', cursor);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError('"{{" is never closed with "}}"', open);
    const name = text.slice(open + 2, close).trim();
    const path = name.split('.');
    if (!path.every((segment) => SEGMENT.test(segment))) {
      throw new TemplateSyntaxError(`"{{${name}}}" is not a dotted reference like {{alert.labels.user}}`, open);
    }
    if (open > cursor) parts.push({ text: text.slice(cursor, open) });
    parts.push({ path, name });
    cursor = close + 2;
  }
  if (cursor < text.length) parts.push({ text: text.slice(cursor) });
  return parts;
}

/** The references in a template, each as its path segments (`{{answers.aware-at}}` → `['answers', 'aware-at']`). Throws TemplateSyntaxError. */
export function templateVariables(text: string): string[][] {
  return parse(text).flatMap((part) => ('path' in part ? [part.path] : []));
}

const MISSING = Symbol('missing');

function lookup(scope: unknown, path: readonly string[]): unknown {
  let current: unknown = scope;
  for (const segment of path) {
    // Own properties only: a template must never reach `constructor` or `__proto__`.
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) {
      return MISSING;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? MISSING : current;
}

const LEAVE = Symbol('leave');

function resolve(path: string[], name: string, scope: TemplateScope, options: RenderOptions): unknown {
  if (options.only && !options.only.includes(path[0] ?? '')) return LEAVE;
  const value = lookup(scope, path);
  if (value !== MISSING) return value;
  if ((options.missing ?? 'throw') === 'throw') throw new TemplateMissingValueError(name);
  return '';
}

function stringify(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Renders every `{{path}}` in `text`. Strings are inserted as they are (no HTML escaping: the output is
 * plain text), null as empty, numbers and booleans with String(), objects and lists as JSON.
 * Throws TemplateSyntaxError, and TemplateMissingValueError unless `options.missing` is `empty`.
 */
export function renderTemplate(text: string, scope: TemplateScope, options: RenderOptions = {}): string {
  return parse(text)
    .map((part) => {
      if ('text' in part) return part.text;
      const value = resolve(part.path, part.name, scope, options);
      return value === LEAVE ? `{{${part.name}}}` : stringify(value);
    })
    .join('');
}

/**
 * Renders templates inside any JSON value (a step's `with`), deeply. A string that is exactly one
 * reference, like `'{{alert}}'`, becomes the referenced value itself, keeping its JSON type.
 */
export function renderValue(value: unknown, scope: TemplateScope, options: RenderOptions = {}): unknown {
  if (typeof value === 'string') {
    if (WHOLE_REFERENCE.test(value)) {
      const [part] = parse(value);
      if (part && 'path' in part) {
        const resolved = resolve(part.path, part.name, scope, options);
        return resolved === LEAVE ? value : resolved;
      }
    }
    return renderTemplate(value, scope, options);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope, options));
  if (value !== null && typeof value === 'object') {
    const rendered: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) rendered[key] = renderValue(item, scope, options);
    return rendered;
  }
  return value;
}
