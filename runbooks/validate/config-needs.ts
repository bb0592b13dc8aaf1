import { readFile } from 'node:fs/promises';
import { missingConfig } from '../requirements';
import type { PinnedRunbook } from '../schema/runbook';
import { parseYamlSource } from '../yaml-source';
import type { FileIssue } from './library';

/**
 * Every config key a loaded runbook declares under `requires.config` that `config` does not set, located at its
 * declaration (file:line:col), so `runbook validate --config`, `config check` and start-up all name the key to set and
 * the runbook that needs it.
 */
export async function missingConfigIssues(runbooks: readonly PinnedRunbook[], config: unknown): Promise<FileIssue[]> {
  const issues: FileIssue[] = [];
  for (const { runbook, file } of runbooks) {
    const keys = runbook.requires?.config ?? [];
    const missing = new Set(missingConfig(keys, config));
    if (missing.size === 0) continue;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const source = text === undefined ? undefined : parseYamlSource(text, Buffer.byteLength(text));
    const declared = runbook.requires!.config;
    for (const key of missing) {
      const path = ['requires', 'config', declared.indexOf(key)];
      const at = source?.ok ? source.locate(path) : undefined;
      issues.push({ file, issue: { code: 'requires.missing_config', message: `${runbook.id} needs ${key}, which the config does not set (${hint(key)})`, path, ...at } });
    }
  }
  return issues;
}

/** Where in the config file a key goes, in the words of the README's config sections. */
function hint(key: string): string {
  const [section, name] = key.split('.');
  switch (section) {
    case 'contacts':
      return `add contacts: { ${name}: <address> }`;
    case 'endpoints':
      return key.includes('.secrets.') ? `add the secret under endpoints.${name}.secrets as a reference (env:NAME or file:PATH)` : `add endpoints: { ${name}: { url: https://... } }`;
    case 'containment':
      return `set containment.${name} to the vendor or endpoint that serves it`;
    case 'vendors':
      return `add the vendors.${name} settings`;
    default:
      return `set ${key}`;
  }
}
