import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { testRunbook } from '../../../cli/runbook-test/command';
import { startRunbookTestEnvironment } from '../../../cli/runbook-test/driver';
import { createLogger } from '../../../worker/logging';
import { installRuntimeLogging } from '../../../worker/temporal-worker';
import { HISTORIES_DIR, shippedScenarios } from './scenarios';

/*
 * Records (as binary protobuf) the workflow history of every shipped runbook's scenario (and of its child runbooks) for the replay test.
 * Run it when a workflow change is released on purpose (with `patched()` guards), and commit the new files:
 *   npx tsx test/workflows/replay/record-histories.ts
 */
async function main(): Promise<void> {
  installRuntimeLogging(createLogger('warn'));
  const shared = await startRunbookTestEnvironment();
  try {
    for (const scenario of shippedScenarios()) {
      const output = await testRunbook(scenario, shared);
      if (!output.report) throw new Error(`${scenario.id}: ${output.stderr}`);
      const ids = [output.report.status.incidentId, ...Object.keys(output.report.children).map((step) => `${output.report!.status.incidentId}/${step}`)];
      for (const [index, workflowId] of ids.entries()) {
        const history = await shared.env.client.workflow.getHandle(workflowId).fetchHistory();
        const file = path.join(HISTORIES_DIR, `${scenario.id}${index === 0 ? '' : `.child-${index}`}.binpb`);
        writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
        console.log(`recorded ${path.relative(process.cwd(), file)} (${history.events?.length ?? 0} events)`);
      }
    }
  } finally {
    await shared.env.teardown();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
