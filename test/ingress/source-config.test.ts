import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { configuredSources, resolveSourceAuth } from '../../worker/alert-sources';
import { ConfigError, loadConfig } from '../../worker/config';
import { Secret } from '../../worker/secret';
import { tempDir } from '../helpers/temporal';
import { secretEnv, whsec } from './ingress-harness';

function configWith(ingress: Record<string, unknown>) {
  const dir = tempDir('source-config');
  const file = path.join(dir, 'firebreak.yaml');
  writeFileSync(file, toYaml(ingress));
  return loadConfig({ FIREBREAK_DATA_DIR: dir, FIREBREAK_CONFIG: file });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

const settingsOf = (problems: string[]): string[] => problems.map((p) => p.replace(/^.*?: (?=sources|routing)/, '').split(':')[0]!);

describe('sources and routing in the config file', () => {
  const generated = new Secret(whsec());

  it('keeps the built-in generic source, signed with the generated secret, unless config defines one', () => {
    const sources = configuredSources(configWith({}), generated);
    assert.deepEqual([...sources.keys()], ['generic']);
    assert.equal(sources.get('generic')!.builtIn, true);
    assert.deepEqual((sources.get('generic')!.auth as { secrets: string[] }).secrets, [generated.reveal()]);

    const refs = secretEnv('config_generic', { own: whsec() });
    const overridden = configuredSources(configWith({ sources: { generic: { kind: 'standard-webhooks', auth: { secrets: [refs.own] } } } }), generated);
    assert.equal(overridden.get('generic')!.builtIn, false);
    assert.deepEqual((overridden.get('generic')!.auth as { secrets: string[] }).secrets, [process.env.FB_TEST_CONFIG_GENERIC_OWN]);
  });

  it('resolves env: and file: references and parses them with the kind\'s auth schema', () => {
    const dir = tempDir('source-secret');
    writeFileSync(path.join(dir, 'pd'), 'pd-secret-from-file\n');
    const refs = secretEnv('config_am', { token: 'am-token', password: 'am-password' });
    const sources = configuredSources(
      configWith({
        sources: {
          pd: { kind: 'pagerduty', auth: { secrets: [`file:${path.join(dir, 'pd')}`] }, rateLimit: { perMinute: 60 }, dedupeRetentionDays: 1 },
          am: { kind: 'alertmanager', auth: { bearerTokens: [refs.token], basicAuth: [{ username: 'prom', password: refs.password }] }, grouping: 'per-group' },
        },
      }),
      generated,
    );
    assert.deepEqual(sources.get('pd')!.auth, { secrets: ['pd-secret-from-file'] });
    assert.deepEqual(sources.get('am')!.auth, { bearerTokens: ['am-token'], basicAuth: [{ username: 'prom', password: 'am-password' }] });
    assert.deepEqual([sources.get('pd')!.rateLimitPerMinute, sources.get('pd')!.dedupeRetentionDays, sources.get('am')!.grouping], [60, 1, 'per-group']);
  });

  it('names every bad setting by its path and never echoes a secret', () => {
    const leaked = 'whsec_dG9vc2hvcnQ=';
    const refs = secretEnv('config_bad', { short: leaked });
    const config = configWith({
      sources: {
        sw: { kind: 'standard-webhooks', auth: { secrets: [refs.short] } },
        pd: { kind: 'pagerduty', auth: { secrets: ['literal-secret-in-file', 'env:FB_TEST_NOT_SET_ANYWHERE'] } },
        am: { kind: 'alertmanager', auth: {} },
      },
    });
    const problems = problemsOf(() => configuredSources(config, generated));
    assert.deepEqual(settingsOf(problems).sort(), ['sources.am.auth', 'sources.pd.auth.secrets.0', 'sources.pd.auth.secrets.1', 'sources.sw.auth.secrets.0'].sort());
    for (const problem of problems) {
      assert.ok(!problem.includes(leaked) && !problem.includes('literal-secret-in-file'), problem);
    }
  });

  it('refuses unknown kinds, bad source names and CEL that does not check, at load', () => {
    const problems = problemsOf(() =>
      configWith({
        sources: { 'Bad Name': { kind: 'github', auth: {} }, ok: { kind: 'splunk', auth: {} } },
        routing: { rules: [{ when: 'alert.labels.x ==', runbook: 'r' }, { when: 'nope.x == 1', runbook: 'r' }] },
      }),
    );
    const settings = settingsOf(problems);
    for (const expected of ['sources.Bad Name', 'sources.ok.kind', 'routing.rules.0.when', 'routing.rules.1.when']) {
      assert.ok(settings.includes(expected), `${expected} not in ${settings.join(', ')}`);
    }
  });

  it('resolveSourceAuth refuses a literal in a secret position but accepts a literal username', () => {
    const refs = secretEnv('config_basic', { password: 'pw' });
    assert.deepEqual(resolveSourceAuth('am', { kind: 'alertmanager', auth: { basicAuth: [{ username: 'prom', password: refs.password }] } }), {
      basicAuth: [{ username: 'prom', password: 'pw' }],
    });
    assert.deepEqual(settingsOf(problemsOf(() => resolveSourceAuth('am', { kind: 'alertmanager', auth: { basicAuth: [{ username: 'prom', password: 'pw' }] } }))), [
      'sources.am.auth.basicAuth.0.password',
    ]);
  });
});
