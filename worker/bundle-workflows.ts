import { type WorkflowBundleWithSourceMap, bundleWorkflowCode } from '@temporalio/worker';

const ignore = (): void => undefined;
// webpack's progress lines would drown test and benchmark output; errors still surface as a rejected promise.
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

/**
 * Bundles workflows/ with the failure converter the data converter names, as Worker.create would. Tests and the
 * benchmark bundle once and share the result across workers.
 */
export function bundleFirebreakWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: require.resolve('../codec/failure-converter'),
    logger: quiet,
  });
}
