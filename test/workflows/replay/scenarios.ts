import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RUNBOOK_LIBRARY } from '../../../cli/commands/runbook';

export const HISTORIES_DIR = path.join(__dirname, 'histories');
const SCENARIOS = path.join(__dirname, '..', '..', 'fixtures', 'runbook-scenarios');

/** Every shipped runbook with its recorded alert and scripted people (the `runbook test` scenarios). */
export function shippedScenarios(): { id: string; file: string; alert: string; script: string }[] {
  return readdirSync(DEFAULT_RUNBOOK_LIBRARY)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => {
      const id = name.replace(/\.yaml$/, '');
      return { id, file: path.join(DEFAULT_RUNBOOK_LIBRARY, name), alert: path.join(SCENARIOS, `${id}.alert.json`), script: path.join(SCENARIOS, `${id}.script.yaml`) };
    });
}
