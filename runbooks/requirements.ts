import type { Runbook } from './schema/runbook';

/*
 * Whether what a runbook declares under `requires` is there: config keys in the running config (a plain object, as
 * the config loader parsed it), alert labels on an alert. Pure: the ingress routes with it, the incident client refuses
 * a declaration with it, and `runbook validate --config` / start-up report with it.
 */

/**
 * The value at a dotted key, or undefined. Config names may themselves contain dots (an endpoint `idp.eu`), so at
 * each level the longest name that exists wins. Own properties only.
 */
export function configValue(config: unknown, key: string): unknown {
  const walk = (node: unknown, segments: string[]): unknown => {
    if (segments.length === 0) return node;
    if (node === null || typeof node !== 'object') return undefined;
    for (let take = segments.length; take >= 1; take -= 1) {
      const name = segments.slice(0, take).join('.');
      if (!Object.prototype.hasOwnProperty.call(node, name)) continue;
      const found = walk((node as Record<string, unknown>)[name], segments.slice(take));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(config, key.split('.'));
}

/** The keys (in the order given) that the config does not set, or sets to an empty string. */
export function missingConfig(keys: readonly string[], config: unknown): string[] {
  return keys.filter((key) => {
    const value = configValue(config, key);
    return value === undefined || value === null || value === '';
  });
}

/** What keeps a runbook from running for one alert: labels the alert lacks and may not be asked for, and config keys. */
export interface UnmetRequirements {
  labels: string[];
  config: string[];
}

/**
 * Everything `runbook` (and the child runbooks it may run, given by id) declares that this alert and config do not
 * meet. Labels declared `missing: ask` never count: a person is asked for them. Without `config`, config is not judged.
 */
export function unmetRequirements(runbook: Runbook, alert: { labels: Record<string, string> }, config: unknown, children: readonly Runbook[] = []): UnmetRequirements {
  const labels = (runbook.requires?.labels ?? []).filter((l) => l.missing === 'alert' && !alert.labels[l.label]).map((l) => l.label);
  const keys = [...new Set([runbook, ...children].flatMap((book) => book.requires?.config ?? []))];
  return { labels, config: config === undefined ? [] : missingConfig(keys, config) };
}

export const isMet = (unmet: UnmetRequirements): boolean => unmet.labels.length === 0 && unmet.config.length === 0;

/** One sentence a responder can act on: which labels the alert lacks, which config keys to set. */
export function describeUnmet(runbookId: string, unmet: UnmetRequirements): string {
  const parts = [
    ...(unmet.labels.length > 0 ? [`the alert has no ${unmet.labels.map((l) => `"${l}"`).join(', ')} label${unmet.labels.length > 1 ? 's' : ''}`] : []),
    ...(unmet.config.length > 0 ? [`the config does not set ${unmet.config.join(', ')}`] : []),
  ];
  return `${runbookId} needs what it cannot get: ${parts.join('; ')}`;
}

/** Child runbooks a runbook may run (transitively), found by id in `library`. */
export function childRunbooks(runbook: Runbook, library: readonly Runbook[]): Runbook[] {
  const found = new Map<string, Runbook>();
  const visit = (steps: unknown): void => {
    for (const step of Array.isArray(steps) ? steps : []) {
      const s = step as { kind: string; runbook?: string; steps?: unknown; otherwise?: unknown; branches?: unknown[] };
      if (s.kind === 'runbook' && s.runbook && !found.has(s.runbook)) {
        const child = library.find((book) => book.id === s.runbook);
        if (child) {
          found.set(child.id, child);
          visit(child.steps);
        }
      }
      visit(s.steps);
      visit(s.otherwise);
      for (const branch of s.branches ?? []) visit(branch);
    }
  };
  visit(runbook.steps);
  return [...found.values()];
}
