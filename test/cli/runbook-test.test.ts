import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { testRunbook } from '../../cli/runbook-test/command';
import { type RunbookTestEnvironment, runRunbookTest, startRunbookTestEnvironment } from '../../cli/runbook-test/driver';
import { RunbookTestScript } from '../../cli/runbook-test/script';
import { DEFAULT_RUNBOOK_LIBRARY, graphRunbook } from '../../cli/commands/runbook';
import { loadRunbookFile } from '../../runbooks/load';
import { workflowBundle } from '../helpers/temporal';

const SCENARIOS = path.join(__dirname, '..', 'fixtures', 'runbook-scenarios');
const LIBRARY_IDS = readdirSync(DEFAULT_RUNBOOK_LIBRARY).filter((n) => n.endsWith('.yaml')).map((n) => n.replace(/\.yaml$/, ''));

const scenario = (id: string) => ({
  file: path.join(DEFAULT_RUNBOOK_LIBRARY, `${id}.yaml`),
  alert: path.join(SCENARIOS, `${id}.alert.json`),
  script: path.join(SCENARIOS, `${id}.script.yaml`),
});

describe('firebreak runbook test', function () {
  this.timeout(180_000);
  let shared: RunbookTestEnvironment;

  before(async () => {
    shared = await startRunbookTestEnvironment(await workflowBundle());
  });
  after(async () => shared?.env.teardown());

  it('has a scenario for every shipped runbook', () => {
    assert.ok(LIBRARY_IDS.length >= 7);
    for (const id of LIBRARY_IDS) {
      const { alert, script } = scenario(id);
      assert.ok(existsSync(alert) && existsSync(script), `scenario files for ${id}`);
    }
  });

  for (const id of LIBRARY_IDS) {
    it(`runs the ${id} scenario to its expected end`, async () => {
      const output = await testRunbook(scenario(id), shared);
      assert.equal(output.exitCode, 0, `${output.stdout}${output.stderr}`);
      assert.match(output.stdout, new RegExp(`^runbook ${id} v\\d+ `));
    });
  }

  it('records a refused decision as refused and lets the next person decide', async () => {
    const loaded = await loadRunbookFile(scenario('generic-alert-notice').file);
    assert.ok(loaded.ok);
    const script = RunbookTestScript.parse({
      steps: [
        { step: 'approve-notice', approve: 'mine', as: 'carol', roles: ['security-oncall'] },
        { step: 'approve-notice', approve: 'ok', as: 'alice', roles: ['legal'] },
      ],
    });
    const report = await runRunbookTest({ pinned: loaded.pinned, children: {}, alert: { title: 'x', labels: {}, severity: 'high' }, script }, shared);
    assert.deepEqual(report.moves.map((m) => [m.by, m.kind, m.refused]), [['carol', 'approve', 'approval.not_permitted'], ['alice', 'approve', undefined]]);
    assert.equal(report.status.phase, 'completed');
    assert.deepEqual(report.actions.map((a) => a.action), ['evidence.capture', 'notify.email']);
  });

  it('skips durable timers and reports them, and undoes containment when the script aborts', async () => {
    const loaded = await loadRunbookFile(scenario('ransomware-host').file);
    assert.ok(loaded.ok);
    const script = RunbookTestScript.parse({ steps: [{ step: 'spread', abort: 'false positive: backup job', as: 'ivan', roles: ['incident-commander'] }] });
    const report = await runRunbookTest({ pinned: loaded.pinned, children: {}, alert: { title: 'x', labels: { category: 'ransomware', host: 'wks-9', c2_ip: '198.51.100.1' }, severity: 'high' }, script }, shared);
    assert.equal(report.status.phase, 'aborted');
    const undone = report.actions.filter((a) => a.key.endsWith('/undo')).map((a) => a.action).sort();
    assert.deepEqual(undone, ['host.release', 'network.unblock-ip']);
    // The C2 block's 30-day lift was armed, then cancelled by the abort: the abort's undo is the only one.
    assert.deepEqual(report.lifts.map((l) => [l.step, l.outcome]), [['block-c2', 'cancelled']]);

    const full = await testRunbook(scenario('ransomware-host'), shared);
    assert.match(full.stdout, /hold-for-forensics\s+wait\s+done\s+timer 1h skipped/);
    const liftAt = /^expiry block-c2: armed: lifts at (\S+)$/m.exec(full.stdout)?.[1];
    assert.ok(liftAt, full.stdout);
    const opened = Date.parse(full.report!.status.timeline[0]!.at);
    assert.equal(Math.round((Date.parse(liftAt) - opened) / 86_400_000), 30, 'lifted 30 days after the block');
  });

  it('stops with exit 1 and names the step it waits on when nobody is scripted to answer', async () => {
    const { file, alert } = scenario('phishing-campaign');
    const output = await testRunbook({ file, alert }, shared);
    assert.equal(output.exitCode, 1);
    assert.match(output.stdout, /^stopped: waiting on credentials-entered /m);
  });

  it('fails a scripted step once so the failure policy shows in the path', async () => {
    const output = await testRunbook(scenario('compromised-account'), shared);
    assert.match(output.stdout, /revoke-sessions\s+action\s+failed\s+identity\.revoke-sessions failed: http\.server_error/);
  });

  it('refuses a malformed script with exit 2 and the path of each problem', async () => {
    const output = await testRunbook({ file: scenario('phishing-campaign').file, script: path.join(__dirname, '..', 'fixtures', 'runbook-scenarios', 'phishing-campaign.alert.json') }, shared);
    assert.equal(output.exitCode, 2);
    assert.match(output.stderr, /script\.invalid at /);
  });
});

describe('firebreak runbook graph --format svg', () => {
  it('renders the DOT picture to SVG in-process', async () => {
    const output = await graphRunbook('ransomware-host', 'svg');
    assert.equal(output.exitCode, 0, output.stderr);
    assert.match(output.stdout, /<svg[\s\S]*<\/svg>\s*$/);
    assert.match(output.stdout, /isolate-host|Isolate the host/);
  });
});
