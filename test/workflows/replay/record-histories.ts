import { testRunbook } from '../../../cli/runbook-test/command';
import { quietRunbookTestEnvironment, record, saveHistory } from './recorder';
import { recordedRunbook, shippedScenarios } from './scenarios';

/*
 * Records (as binary protobuf) the workflow history of every shipped runbook's scenario (and of its child runbooks) for
 * the replay test, as `<id>.v<version>.binpb` (children `.child-<n>`). Files of earlier versions stay: incidents pinned
 * to them may still be running, so they must keep replaying. Run it when a runbook's version changes or a workflow
 * change is released on purpose (with `patched()` guards), from a checkout of what was committed (not a working tree
 * with other changes in flight), and commit the new files; name runbook ids to record only those:
 *   npx tsx test/workflows/replay/record-histories.ts [compromised-account leaked-cloud-key ...]
 */
record(quietRunbookTestEnvironment, async (shared) => {
  const only = process.argv.slice(2);
  for (const scenario of shippedScenarios().filter((s) => only.length === 0 || only.includes(s.id))) {
    const output = await testRunbook(scenario, shared);
    if (!output.report) throw new Error(`${scenario.id}: ${output.stderr}`);
    const ids = [output.report.status.incidentId, ...Object.keys(output.report.children).map((step) => `${output.report!.status.incidentId}/${step}`)];
    let version: number | undefined;
    for (const [index, workflowId] of ids.entries()) {
      const history = await shared.env.client.workflow.getHandle(workflowId).fetchHistory();
      version ??= recordedRunbook(history)?.version;
      if (version === undefined) throw new Error(`${scenario.id}: the incident's history names no runbook version`);
      saveHistory(history, `${scenario.id}.v${version}${index === 0 ? '' : `.child-${index}`}.binpb`);
    }
  }
});
