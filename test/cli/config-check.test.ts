import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkConfig } from '../../cli/commands/config';
import { DEFAULT_RUNBOOK_LIBRARY, validateRunbooks } from '../../cli/commands/runbook';
import { tempDir } from '../helpers/temporal';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(root, 'examples', 'firebreak.config.yaml');

describe('firebreak config check', function () {
  this.timeout(120_000);

  it('passes the README\'s complete example: valid, and every shipped runbook has the config it needs', async () => {
    const output = await checkConfig(EXAMPLE, { runbooks: [DEFAULT_RUNBOOK_LIBRARY] });
    assert.equal(output.exitCode, 0, output.stderr);
    assert.match(output.stdout, /every one of 8 runbook\(s\) has the config it needs/);
  });

  it('lists every bad setting and unknown section as file:line:col, exit 1', async () => {
    const file = path.join(tempDir('config-check'), 'bad.yaml');
    writeFileSync(file, 'contacts:\n  security: 42\ncontainment:\n  identity: Okta!\npeeple: []\nendpoints:\n  edr: { url: ftp://edr.example.com }\n');
    const output = await checkConfig(file);
    assert.equal(output.exitCode, 1);
    const lines = output.stderr.trim().split('\n');
    assert.deepEqual(lines.slice(0, 4).map((line) => line.replace(file, 'F').replace(/: .*\(at /, ' (at ')), [
      'F:2:13 config.invalid (at contacts.security)',
      'F:4:13 config.invalid (at containment.identity)',
      'F:5:1 config.unknown_key (at peeple)',
      'F:7:15 config.invalid (at endpoints.edr.url)',
    ]);
    assert.equal(lines[4], `4 problem(s) in ${file}`);
  });

  it('names codec access tokens without the identity provider they come from, at its line', async () => {
    const file = path.join(tempDir('config-check'), 'codec.yaml');
    writeFileSync(file, 'people: []\ncodecAccessTokens:\n  audience: [temporal-ui]\n');
    const output = await checkConfig(file);
    assert.equal(output.exitCode, 1);
    assert.match(output.stderr, /:3:3 config\.invalid: .*needs console\.oidc.*\(at codecAccessTokens\)/);
  });

  it('names a containment adapter that leads nowhere: a vendor without its settings, a name that is no endpoint', async () => {
    const file = path.join(tempDir('config-check'), 'containment.yaml');
    writeFileSync(file, 'containment:\n  identity: okta\n  host: edr\n  network: firewall\nendpoints:\n  firewall: { url: https://fw.example.com }\n');
    const output = await checkConfig(file);
    assert.equal(output.exitCode, 1);
    assert.deepEqual(output.stderr.trim().split('\n').map((line) => line.replace(file, 'F')), [
      'F:2:13 config.invalid: okta needs its settings under vendors.okta (at containment.identity)',
      'F:3:9 config.invalid: "edr" is neither a host vendor (crowdstrike, defender, sentinelone) nor an endpoint under endpoints (at containment.host)',
      '2 problem(s) in F',
    ]);
  });

  it('names a routing rule or default runbook that the library does not have, at its line', async () => {
    const file = path.join(tempDir('config-check'), 'routing.yaml');
    writeFileSync(file, 'contacts: { security: s@example.com }\nrouting:\n  rules:\n    - { when: \'alert.severity == "critical"\', runbook: ransomware }\n  defaultRunbook: generic-alert-notice\n');
    const output = await checkConfig(file, { runbooks: [path.join(DEFAULT_RUNBOOK_LIBRARY, 'generic-alert-notice.yaml')] });
    assert.equal(output.exitCode, 1);
    assert.equal(output.stderr.split('\n')[0], `${file}:4:56 config.unknown_runbook: no runbook in the library has id "ransomware" (at routing.rules.0.runbook)`);
  });

  it('names, at its declaration in the runbook, each key a runbook needs that the config lacks', async () => {
    const file = path.join(tempDir('config-check'), 'default.yaml');
    writeFileSync(file, 'contacts: { security: security@example.com }\n');
    const output = await checkConfig(file, { runbooks: [DEFAULT_RUNBOOK_LIBRARY] });
    assert.equal(output.exitCode, 1);
    assert.match(output.stderr, /library\/ransomware-host\.yaml:\d+:\d+ requires\.missing_config: ransomware-host needs containment\.host, which the config does not set/);
    assert.match(output.stderr, /library\/compromised-account\.yaml:\d+:\d+ requires\.missing_config: compromised-account needs contacts\.it-helpdesk, .*add contacts: \{ it-helpdesk: <address> \}/);
    assert.doesNotMatch(output.stderr, /generic-alert-notice/);
    // runbook validate --config reports the same
    const validated = await validateRunbooks([DEFAULT_RUNBOOK_LIBRARY], file);
    assert.equal(validated.exitCode, 1);
    assert.match(validated.stderr, /ransomware-host\.yaml:\d+:\d+ requires\.missing_config: ransomware-host needs endpoints\.edr\.secrets\.edr-api-token/);
  });

  it('runs as a firebreak command (loaded lazily like the others) with its exit codes', async () => {
    const cli = (...args: string[]) => run(process.execPath, [path.join(root, 'bin', 'firebreak.js'), ...args], { cwd: root }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    const ok = await cli('config', 'check', EXAMPLE);
    assert.equal(ok.code, 0, ok.stderr);
    const missing = await cli('config', 'check', '/nonexistent/firebreak.yaml');
    assert.equal(missing.code, 2);
  });
});
