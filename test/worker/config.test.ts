import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../worker/config';
import { resolveSecret, Secret, SecretReferenceError } from '../../worker/secret';
import { tempDir } from '../helpers/temporal';

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
};

describe('configuration', () => {
  it('defaults to loopback, port 8780 and the embedded Temporal server', () => {
    const config = loadConfig({});
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.http.port, 8780);
    assert.equal(config.temporal.address, undefined);
    assert.equal(config.dataDir, path.resolve('.firebreak'));
  });

  it('names every bad setting by the env var that set it', () => {
    const problems = problemsOf(() => loadConfig({ FIREBREAK_HTTP_PORT: 'eighty', FIREBREAK_TEMPORAL_PORT: '99999' }));
    assert.equal(problems.length, 2);
    assert.ok(problems[0]!.startsWith('FIREBREAK_HTTP_PORT:'));
    assert.ok(problems[1]!.startsWith('FIREBREAK_TEMPORAL_PORT:'));
  });

  it('names settings from the config file by their path', () => {
    const file = path.join(tempDir('config'), 'firebreak.yaml');
    writeFileSync(file, 'people:\n  - id: Not Valid\n    roles: [legal]\n');
    const problems = problemsOf(() => loadConfig({ FIREBREAK_CONFIG: file }));
    assert.deepEqual(problems.map((p) => p.split(': ')[1]), ['people.0.id']);
  });

  it('refuses an audit Slack channel without Slack, and a channel name where an id belongs', () => {
    const file = path.join(tempDir('config'), 'firebreak.yaml');
    writeFileSync(file, 'audit:\n  checkpointSlackChannel: C0123AUDIT\n');
    assert.deepEqual(problemsOf(() => loadConfig({ FIREBREAK_CONFIG: file })).map((p) => p.split(': ')[1]), ['audit.checkpointSlackChannel']);
    writeFileSync(file, 'audit:\n  checkpointSlackChannel: "#audit"\n');
    const problems = problemsOf(() => loadConfig({ FIREBREAK_CONFIG: file }));
    assert.ok(problems.every((p) => p.split(': ')[1] === 'audit.checkpointSlackChannel'));
    assert.ok(problems.some((p) => p.includes('channel id')));
  });

  it('refuses a secret written literally into a config file, without echoing it', () => {
    assert.throws(() => resolveSecret('email.smtpUrl', 'smtp://user:hunter2@mail'), (e: SecretReferenceError) => {
      assert.equal(e.code, 'config.secret_unresolved');
      assert.equal(e.message.includes('hunter2'), false);
      return true;
    });
  });

  it('resolves env: and file: references and never prints the value', () => {
    process.env.FB_TEST_SECRET_VALUE = 'hunter2';
    const fromEnv = resolveSecret('x', 'env:FB_TEST_SECRET_VALUE');
    const file = path.join(tempDir('secret'), 'token');
    writeFileSync(file, 'from-a-file\n');
    assert.equal(fromEnv.reveal(), 'hunter2');
    assert.equal(resolveSecret('x', `file:${file}`).reveal(), 'from-a-file');
    assert.equal(String(fromEnv), '[redacted]');
    assert.equal(JSON.stringify({ fromEnv }), '{"fromEnv":"[redacted]"}');
    assert.ok(fromEnv instanceof Secret);
    assert.throws(() => resolveSecret('x', 'env:FB_TEST_UNSET_VAR'), (e: SecretReferenceError) => e.message.includes('FB_TEST_UNSET_VAR'));
  });
});
