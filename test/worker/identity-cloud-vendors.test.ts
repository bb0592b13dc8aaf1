import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../worker/config';
import { containmentFromConfig } from '../../worker/http-endpoints';
import { tempDir } from '../helpers/temporal';

const configFrom = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const file = path.join(tempDir('identity-cloud-config'), 'firebreak.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ ...env, FIREBREAK_CONFIG: file });
};

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
};

const evidence = { store: async () => assert.fail('no evidence is stored while building the deps') };

describe('identity and cloud vendors in configuration', () => {
  it('chooses the identity provider and the cloud by config, not by runbook', () => {
    const config = configFrom('containment:\n  identity: okta\n  cloud: aws\nvendors:\n  okta:\n    orgUrl: https://acme.okta.com\n    apiToken: env:FIREBREAK_TEST_OKTA_TOKEN\n  aws:\n    region: eu-west-1\n');
    process.env.FIREBREAK_TEST_OKTA_TOKEN = '00okta-token-value';
    const deps = (() => {
      try {
        return containmentFromConfig(config, {}, evidence);
      } finally {
        delete process.env.FIREBREAK_TEST_OKTA_TOKEN;
      }
    })();
    assert.equal(deps.vendors?.identity?.vendor, 'okta');
    assert.equal(deps.vendors?.aws?.settings.region, 'eu-west-1');
    assert.equal(deps.identity, undefined, 'okta is a vendor here, not an endpoint');
  });

  it('names a vendor chosen without its settings, and AWS WAF without its IP sets', () => {
    const config = configFrom('containment:\n  identity: entra\n  cloud: aws\n');
    assert.deepEqual(problemsOf(() => containmentFromConfig(config, {}, evidence)), ['containment.identity: entra needs its settings under vendors.entra', 'containment.cloud: aws needs its settings under vendors.aws']);
    const waf = configFrom('containment:\n  network: aws\nvendors:\n  aws:\n    region: us-east-1\n');
    assert.deepEqual(problemsOf(() => containmentFromConfig(waf, {}, evidence)), ['containment.network: aws needs vendors.aws.wafIpSets (the IP sets its web ACL blocks)']);
  });

  it('refuses plain secrets, half an AWS key pair, and StartTLS on ldaps', () => {
    const plain = configFrom('containment:\n  identity: ldap\nvendors:\n  ldap:\n    url: ldaps://dir.example.com:636\n    bindDn: cn=firebreak,dc=example,dc=com\n    bindPassword: hunter2\n    baseDn: dc=example,dc=com\n');
    assert.throws(() => containmentFromConfig(plain, {}, evidence), /vendors\.ldap\.bindPassword: secrets in a config file must be references/);
    const problems = problemsOf(() =>
      configFrom('vendors:\n  aws:\n    region: us-east-1\n    accessKeyId: env:AK\n  ldap:\n    url: ldaps://dir.example.com\n    bindDn: cn=x\n    bindPassword: env:P\n    baseDn: dc=x\n    startTls: true\n'),
    );
    assert.ok(problems.some((p) => p.includes('vendors.aws.secretAccessKey: set both')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('vendors.ldap.startTls: StartTLS upgrades')), problems.join('\n'));
  });

  it('refuses plain ldap:// to another machine (the bind password would travel in clear), and allows it to this one', () => {
    const ldap = (url: string, extra = '') => `vendors:\n  ldap:\n    url: ${url}\n    bindDn: cn=x\n    bindPassword: env:P\n    baseDn: dc=x\n${extra}`;
    const problems = problemsOf(() => configFrom(ldap('ldap://dir.example.com:389')));
    assert.ok(problems.some((p) => p.includes('vendors.ldap.url: the bind password would cross the network in clear')), problems.join('\n'));
    for (const ok of [ldap('ldap://dir.example.com:389', '    startTls: true\n'), ldap('ldaps://dir.example.com'), ldap('ldap://127.0.0.1:3389'), ldap('ldap://localhost')]) configFrom(ok);
  });
});
