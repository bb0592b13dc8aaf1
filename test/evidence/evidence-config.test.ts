import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConfigError, loadConfig } from '../../worker/config';
import { configWithoutSecrets } from '../../worker/config-fingerprint';
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

const s3Env = { FIREBREAK_EVIDENCE_STORE: 's3', FIREBREAK_EVIDENCE_S3_BUCKET: 'acme-ir-evidence' };

describe('evidence store configuration', () => {
  it('keeps evidence in the data dir unless a bucket is configured', () => {
    assert.deepEqual(loadConfig({}).evidence, { store: 'local' });
  });

  it('reads the bucket settings from env, path-style as a real boolean, region defaulting to us-east-1', () => {
    const config = loadConfig({ ...s3Env, FIREBREAK_EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000', FIREBREAK_EVIDENCE_S3_FORCE_PATH_STYLE: 'false', FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_MODE: 'COMPLIANCE', FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_DAYS: '2555' });
    assert.equal(config.evidence.store, 's3');
    assert.deepEqual(config.evidence.s3, { bucket: 'acme-ir-evidence', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: false, objectLock: { mode: 'COMPLIANCE', days: 2555 } });
  });

  it('turns literal credentials in env into references, so the config never holds them', () => {
    const config = loadConfig({ ...s3Env, FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' });
    assert.equal(config.evidence.s3?.accessKeyId, 'env:FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID');
    assert.equal(config.evidence.s3?.secretAccessKey, 'env:FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY');
    const fingerprinted = JSON.stringify(configWithoutSecrets(config));
    assert.ok(!fingerprinted.includes('env:FIREBREAK_EVIDENCE_S3'), 'credential slots reduce to [set] in the fingerprint');
  });

  it('names the missing bucket when the store is s3', () => {
    const problems = problemsOf(() => loadConfig({ FIREBREAK_EVIDENCE_STORE: 's3' }));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^evidence\.s3\.bucket: /);
  });

  it('names each bad bucket setting by the env var that set it', () => {
    const problems = problemsOf(() => loadConfig({ ...s3Env, FIREBREAK_EVIDENCE_S3_BUCKET: 'Not_A_Bucket', FIREBREAK_EVIDENCE_S3_ENDPOINT: 'https://key:secret@minio.internal', FIREBREAK_EVIDENCE_STORE_TYPO: 'x', FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_MODE: 'FOREVER', FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_DAYS: '30' }));
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['FIREBREAK_EVIDENCE_S3_BUCKET', 'FIREBREAK_EVIDENCE_S3_ENDPOINT', 'FIREBREAK_EVIDENCE_S3_OBJECT_LOCK_MODE']);
    assert.ok(!problems.join('\n').includes('secret@'), 'the endpoint value is not echoed');
  });

  it('refuses one credential without the other, naming the file setting', () => {
    const file = path.join(tempDir('evidence-config'), 'firebreak.yaml');
    writeFileSync(file, toYaml({ evidence: { store: 's3', s3: { bucket: 'acme-ir-evidence', accessKeyId: 'env:KEY_ID' } } }));
    const problems = problemsOf(() => loadConfig({ FIREBREAK_CONFIG: file }));
    assert.deepEqual(problems.map((p) => p.split(': ')[1]), ['evidence.s3.secretAccessKey']);
  });
});
