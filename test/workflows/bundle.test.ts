import assert from 'node:assert/strict';
import { workflowBundle } from '../helpers/temporal';

describe('the workflow bundle', function () {
  this.timeout(120_000);

  // Every cached workflow evaluates its own copy of each module it imports, so schemas the workflow never parses with
  // would cost memory and start time per open incident. Workflow code imports definitions.ts, never messages.ts's
  // schemas or runbooks/schema/.
  it('leaves zod out', async () => {
    const { code } = await workflowBundle();
    assert.doesNotMatch(code, /node_modules\/zod\//, 'a workflow module imports zod (directly or through a schema)');
  });
});
