import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RUNBOOK_LIBRARY } from '../../cli/commands/runbook';
import { testRunbook } from '../../cli/runbook-test/command';
import { type RunbookTestEnvironment, startRunbookTestEnvironment } from '../../cli/runbook-test/driver';
import { tempDir, workflowBundle } from '../helpers/temporal';

const SCENARIOS = path.join(__dirname, '..', 'fixtures', 'runbook-scenarios');
const scenario = (id: string) => ({ file: path.join(DEFAULT_RUNBOOK_LIBRARY, `${id}.yaml`), alert: path.join(SCENARIOS, `${id}.alert.json`), script: path.join(SCENARIOS, `${id}.script.yaml`) });

describe('firebreak runbook test --config: the dry run of the configured vendors', function () {
  this.timeout(180_000);
  let shared: RunbookTestEnvironment;
  let config: string;
  before(async () => {
    shared = await startRunbookTestEnvironment(await workflowBundle());
    config = path.join(tempDir('plan-config'), 'firebreak.yaml');
    process.env.FB_TEST_PLAN_OKTA_TOKEN = '00plan-okta-token-value';
    writeFileSync(
      config,
      'containment:\n  identity: okta\n  cloud: aws\nvendors:\n  okta: { orgUrl: "https://acme.okta.com", apiToken: env:FB_TEST_PLAN_OKTA_TOKEN }\n  aws: { region: eu-west-1 }\n',
    );
  });
  after(async () => {
    delete process.env.FB_TEST_PLAN_OKTA_TOKEN;
    await shared?.env.teardown();
  });

  it('prints the exact Okta requests compromised-account would send, without the token', async () => {
    const output = await testRunbook({ ...scenario('compromised-account'), config }, shared);
    assert.equal(output.exitCode, 0, output.stdout + output.stderr);
    const user = encodeURIComponent((JSON.parse(readFileSync(scenario('compromised-account').alert, 'utf8')) as { labels: { user: string } }).labels.user);
    assert.match(output.stdout, new RegExp(`plan disable-account: POST https://acme\\.okta\\.com/api/v1/users/${user.replace(/[.%]/g, '\\$&')}/lifecycle/suspend \\(when the user is ACTIVE\\)`));
    assert.match(output.stdout, /plan disable-account: DELETE https:\/\/acme\.okta\.com\/api\/v1\/users\/[^/]+\/sessions\?oauthTokens=true/);
    assert.ok(!output.stdout.includes('00plan-okta-token-value'));
  });

  it('prints the AWS calls leaked-cloud-key would make', async () => {
    const output = await testRunbook({ ...scenario('leaked-cloud-key'), config }, shared);
    assert.equal(output.exitCode, 0, output.stdout + output.stderr);
    assert.match(output.stdout, /plan deactivate-key: iam:UpdateAccessKey \(when the key is Active\)/);
  });

  it('prints the CrowdStrike and Cloudflare custom-list requests ransomware-host would send', async () => {
    const edge = path.join(tempDir('plan-config'), 'edge.yaml');
    process.env.FB_TEST_PLAN_CF_TOKEN = 'cf-plan-token-value';
    process.env.FB_TEST_PLAN_FALCON_SECRET = 'falcon-plan-secret-value';
    const account = '023e105f4ecef8ad9ca31a8372d0c353';
    const list = '2c0fc9fa937b11eaa1b71c4d701ab86e';
    writeFileSync(
      edge,
      `containment:\n  host: crowdstrike\n  network: cloudflare\nvendors:\n  crowdstrike: { clientId: plan-client, clientSecret: env:FB_TEST_PLAN_FALCON_SECRET }\n  cloudflare: { apiToken: env:FB_TEST_PLAN_CF_TOKEN, accountId: ${account}, list: { id: ${list} } }\n`,
    );
    try {
      const output = await testRunbook({ ...scenario('ransomware-host'), config: edge }, shared);
      assert.equal(output.exitCode, 0, output.stdout + output.stderr);
      assert.match(output.stdout, /plan isolate-host: contain the host \(POST https:\/\/api\.crowdstrike\.com\/devices\/entities\/devices-actions\/v2\?action_name=contain\)/);
      assert.match(output.stdout, new RegExp(`plan block-c2: add the address to the list \\(POST https://api\\.cloudflare\\.com/client/v4/accounts/${account}/rules/lists/${list}/items\\) \\(when only if the address is not in the list\\)`));
      assert.ok(!output.stdout.includes('cf-plan-token-value') && !output.stdout.includes('falcon-plan-secret-value'));
    } finally {
      delete process.env.FB_TEST_PLAN_CF_TOKEN;
      delete process.env.FB_TEST_PLAN_FALCON_SECRET;
    }
  });

  it('refuses a config whose vendor settings are missing, with exit 2 naming the setting', async () => {
    const bad = path.join(tempDir('plan-config'), 'bad.yaml');
    writeFileSync(bad, 'containment:\n  identity: entra\n');
    const output = await testRunbook({ ...scenario('compromised-account'), config: bad }, shared);
    assert.equal(output.exitCode, 2);
    assert.match(output.stderr, /containment\.identity: entra needs its settings under vendors\.entra/);
  });
});
