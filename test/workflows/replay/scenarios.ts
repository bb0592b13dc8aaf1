import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
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

/** The runbook an incident's recorded history started with (its pinned id and version); undefined for other workflows. */
export function recordedRunbook(history: temporal.api.history.v1.IHistory): { id: string; version: number } | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (started?.workflowType?.name !== 'incidentWorkflow' || !payload?.data) return undefined;
  const input = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { pinned?: { runbook?: { id?: string; version?: number } } };
  const runbook = input.pinned?.runbook;
  return runbook?.id && typeof runbook.version === 'number' ? { id: runbook.id, version: runbook.version } : undefined;
}
