import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { type AuditRecord, loadPublicKey, readAuditRecords } from '../../audit';
import { EvidenceStore } from '../../evidence';
import { collectReport } from '../../report/collect';
import { exportBundle } from '../../report/export-bundle';
import type { IncidentReport } from '../../report/model';
import { verifyBundle } from '../../report/verify-bundle';
import { openAuditLog } from '../../worker/process-audit-log';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { tapTestLog } from '../helpers/temporal';
import { renderInChromium } from '../report/chromium';

const SMTP_USER = 'firebreak-mailer';
const SMTP_PASSWORD = 'smtp-pa55word-7f3c9e1b2d';

async function records(fb: FirebreakUnderTest, incidentId?: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of readAuditRecords(path.join(fb.dataDir, 'audit'), incidentId ? { incidentId } : {})) out.push(r);
  return out;
}

describe('the record of an incident: audit coverage, evidence API, report, export, secrets', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;
  let smtp: SMTPServer;
  const mails: string[] = [];
  const logLines: string[] = [];
  let untap: () => void;
  let incidentId: string;
  let closed: IncidentStatus;

  before(async () => {
    untap = tapTestLog((line) => logLines.push(line));
    const port = await freePort();
    smtp = new SMTPServer({
      authOptional: false,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, done) => (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD ? done(null, { user: SMTP_USER }) : done(new Error('bad auth'))),
      onData: (stream, _session, done) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push(text);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
    process.env.SMTP_URL = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;
    fb = await FirebreakUnderTest.start({
      people: [
        { id: 'alice', roles: ['legal'] },
        { id: 'carol', roles: ['security-oncall'] },
      ],
      env: { SMTP_URL: process.env.SMTP_URL },
      config: { audit: { checkpointEmail: 'audit-witness@example.org' } },
    });

    const sent = await fb.sendAlert({ title: 'Exfiltration from vault-3', severity: 'critical', labels: { team: 'storage' }, description: 'record-keeping test' });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    incidentId = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    const waiting = await eventually(async () => {
      const s = await fb.api<IncidentStatus>('GET', `/v1/incidents/${incidentId}`);
      return s.body.steps?.some((step) => step.id === 'approve-notice' && step.state === 'waiting') ? s.body : undefined;
    });
    // Approvals name the draft they saw, where the status carries one.
    const draftSha256 = (waiting.approvals.find((a) => a.stepId === 'approve-notice') as { draftSha256?: string } | undefined)?.draftSha256;
    const refused = await fb.api('POST', `/v1/incidents/${incidentId}/steps/approve-notice/approve`, { reason: 'I am on call' }, 'token-carol');
    assert.equal(refused.status, 403);
    const approved = await fb.api('POST', `/v1/incidents/${incidentId}/steps/approve-notice/approve`, { reason: 'text checked with counsel', draftSha256 }, 'token-alice');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    closed = (await fb.client.workflow.getHandle(incidentId).result()) as IncidentStatus;
    assert.equal(closed.phase, 'completed');
    const forged = await fb.sendAlert({ title: 'forged', severity: 'low' }, { secret: `whsec_${Buffer.alloc(32, 9).toString('base64')}` });
    assert.equal(forged.status, 401);
  });

  after(async () => {
    untap?.();
    await fb?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    delete process.env.SMTP_URL;
  });

  it('audits alert deliveries accepted and refused with their codes, never their bodies', async () => {
    const all = await records(fb);
    const accepted = all.find((r) => r.action === 'alert.accepted' && r.incidentId === incidentId);
    assert.ok(accepted, 'accepted delivery recorded against the incident');
    assert.equal(accepted.data.status, 202);
    const refusal = all.find((r) => r.action === 'alert.refused');
    assert.ok(refusal);
    assert.equal(refusal.data.code, 'auth.bad_signature');
    assert.equal(refusal.data.status, 401);
    assert.ok(!JSON.stringify(all).includes('Exfiltration from vault-3'), 'no alert body text in the audit log');
  });

  it('audits a refused decision with the identity, the refusal code and the reason given', async () => {
    const refused = (await records(fb, incidentId)).find((r) => r.action === 'decision.refused');
    assert.ok(refused);
    assert.equal(refused.actor.id, 'carol');
    assert.equal(refused.subject, 'approve-notice');
    assert.equal(refused.data.refusal, 'approval.not_permitted');
    assert.equal(refused.data.reason, 'I am on call');
  });

  it('audits the configuration at start-up as a hash, and evidence custody and the notice with hashes', async () => {
    const config = (await records(fb)).find((r) => r.action === 'config.loaded');
    assert.match(String(config?.data.sha256), /^[0-9a-f]{64}$/);
    const mine = await records(fb, incidentId);
    const collected = mine.find((r) => r.action === 'evidence.collected');
    assert.ok(collected);
    assert.equal(collected.data.sha256, (closed.steps.find((s) => s.id === 'preserve-alert')!.result as { sha256: string }).sha256);
    const notice = mine.find((r) => r.action === 'notice.sent');
    assert.match(String(notice?.data.textSha256), /^[0-9a-f]{64}$/);
    assert.equal(notice?.data.delivery, 'smtp');
  });

  it('writes a signed checkpoint when the incident closes and mails it off the machine', async () => {
    const last = (await records(fb, incidentId)).at(-1)!;
    const checkpoints = readFileSync(path.join(fb.dataDir, 'audit', 'checkpoints.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { size: number });
    assert.ok(checkpoints.some((cp) => cp.size >= last.seq), 'a checkpoint covers the closing record');
    const mail = await eventually(async () => mails.find((m) => m.includes('To: audit-witness@example.org')));
    assert.match(mail, /firebreak\/audit/);
  });

  it('streams evidence in through the API, lists it with custody, hands it over and exports it re-verified', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fb-ev-')), 'netflow.log');
    writeFileSync(file, 'x'.repeat(300_000));
    const target = `${fb.baseUrl}/v1/incidents/${incidentId}/evidence?name=netflow.log&note=${encodeURIComponent('flows from vault-3')}`;
    const up = await fetch(target, { method: 'POST', headers: { authorization: 'Bearer token-alice', 'content-type': 'text/plain' }, body: readFileSync(file) });
    assert.equal(up.status, 201);
    const item = (await up.json()) as { evidenceId: string; sha256: string; size: number };
    assert.equal(item.size, 300_000);
    const handed = await fb.api('POST', `/v1/evidence/${item.evidenceId}/hand-over`, { to: 'Forensics Ltd', reason: 'analysis' }, 'token-alice');
    assert.equal(handed.status, 201);
    const got = await fetch(`${fb.baseUrl}/v1/evidence/${item.evidenceId}/content?purpose=review`, { headers: { authorization: 'Bearer token-alice' } });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('x-evidence-sha256'), item.sha256);
    assert.equal((await got.arrayBuffer()).byteLength, 300_000);
    const list = await fb.api<{ items: { evidenceId: string; custody: { event: string; by: { id: string } }[] }[] }>('GET', `/v1/incidents/${incidentId}/evidence`);
    const events = list.body.items.find((i) => i.evidenceId === item.evidenceId)!.custody.map((c) => `${c.event}:${c.by.id}`);
    assert.deepEqual(events, ['collected:alice', 'handed-over:alice', 'exported:alice']);
    const audited = (await records(fb, incidentId)).filter((r) => r.subject === item.evidenceId).map((r) => r.action);
    assert.deepEqual(audited, ['evidence.collected', 'evidence.handed_over', 'evidence.exported']);
    assert.equal((await fb.api('GET', `/v1/incidents/${incidentId}/evidence`, undefined, null)).status, 401);
  });

  it('refuses evidence altered on disk with evidence.tampered, and records the detection', async () => {
    const store = await EvidenceStore.open(path.join(fb.dataDir, 'evidence'));
    const victim = (await store.listEvidence(incidentId))[0]!;
    const object = path.join(fb.dataDir, 'evidence', 'objects', victim.sha256.slice(0, 2), victim.sha256);
    chmodSync(object, 0o644);
    writeFileSync(object, `${readFileSync(object, 'utf8')} `);
    const got = await fb.api('GET', `/v1/evidence/${victim.evidenceId}/content?purpose=court`, undefined, 'token-alice');
    assert.equal(got.status, 409);
    assert.equal(got.body.error, 'evidence.tampered');
    const detected = (await records(fb, incidentId)).find((r) => r.action === 'evidence.tamper_detected' && r.subject === victim.evidenceId);
    assert.ok(detected);
    assert.notEqual(detected.data.sha256, victim.sha256);
    writeFileSync(object, readFileSync(object, 'utf8').slice(0, -1));
  });

  it('reports everything that happened, from the stores alone once Temporal forgot the incident', async () => {
    const answer = await fb.api<IncidentReport>('GET', `/v1/incidents/${incidentId}/report?format=json`);
    assert.equal(answer.status, 200);
    const report = answer.body;
    assert.equal(report.summary.source, 'temporal');
    assert.equal(report.summary.outcome, 'completed');
    assert.deepEqual(report.steps.map((s) => [s.id, s.outcome]), [['preserve-alert', 'done'], ['approve-notice', 'done'], ['send-notice', 'done']]);
    assert.deepEqual(report.decisions.map((d) => [d.decision, d.by, d.reason]), [['refused approve', 'carol', 'approval.not_permitted'], ['approve', 'alice', 'text checked with counsel']]);
    assert.equal(report.notices.length, 1);
    assert.deepEqual(report.notices[0]!.to, ['security-team@localhost']);
    assert.ok(report.evidence.length >= 2);
    assert.equal(report.verification.ok, true);
    const incidentRecords = await records(fb, incidentId);
    assert.deepEqual(report.timeline.map((r) => r.seq), incidentRecords.map((r) => r.seq));

    const md = await fetch(`${fb.baseUrl}/v1/incidents/${incidentId}/report?format=md`, { headers: { authorization: `Bearer ${fb.adminToken}` } });
    const text = await md.text();
    for (const record of incidentRecords) assert.ok(text.includes(record.hash), `record ${record.seq} in the Markdown`);
    assert.ok(text.includes('```mermaid'));

    // Without the live status (Temporal deleted the workflow after retention) the report still comes from the stores.
    const offline = await collectReport(incidentId, {
      auditDir: path.join(fb.dataDir, 'audit'),
      publicKey: loadPublicKey(readFileSync(path.join(fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8')),
      evidence: await EvidenceStore.open(path.join(fb.dataDir, 'evidence')),
    });
    assert.equal(offline.summary.source, 'audit');
    assert.equal(offline.summary.outcome, 'completed');
    assert.equal(offline.summary.runbook, 'generic-alert-notice v1');
    assert.equal(offline.summary.severity, report.summary.severity, 'the severity survives Temporal retention');
    assert.equal(offline.summary.title, undefined, 'alert content stays out of the append-only log');
    assert.deepEqual(offline.steps, report.steps);
    assert.deepEqual(offline.decisions, report.decisions);
  });

  it('renders the HTML report in headless Chromium with one timeline mark per step', async function () {
    const html = await (await fetch(`${fb.baseUrl}/v1/incidents/${incidentId}/report?format=html`, { headers: { authorization: `Bearer ${fb.adminToken}` } })).text();
    const rendered = await renderInChromium(html);
    if (!rendered) return this.skip();
    assert.equal(rendered.stepMarks, 3);
    assert.ok(rendered.timelineWidth > 0);
    assert.ok(rendered.graphNodes >= 3, 'runbook graph rendered as SVG');
  });

  it('exports a bundle that verifies offline, and detects a file changed after export', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'fb-bundle-'));
    const auditLog = await openAuditLog(fb.config, fb.secrets);
    const pem = readFileSync(path.join(fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8');
    try {
      const evidence = await EvidenceStore.open(path.join(fb.dataDir, 'evidence'));
      await exportBundle(incidentId, out, { auditDir: path.join(fb.dataDir, 'audit'), auditLog, evidence, publicKey: loadPublicKey(pem), publicKeyPem: pem, actor: { kind: 'person', id: 'auditor' } });
    } finally {
      await auditLog.close();
    }
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as IncidentReport;
    assert.ok(report.verification.coveringCheckpoint!.size >= report.timeline.at(-1)!.seq, 'the export checkpoint covers every record of the incident');
    const good = await verifyBundle(out);
    assert.deepEqual(good.problems, []);
    assert.ok(good.incidentRecords > 5);
    const cli = await promisify(execFile)('npx', ['tsx', 'cli/main.ts', 'audit', 'verify', '--bundle', out], { cwd: path.resolve(__dirname, '../..') }).then(() => 0, (e: { code: number }) => e.code);
    assert.equal(cli, 0);

    const evidenceFile = readdirSync(path.join(out, 'evidence'))[0]!;
    writeFileSync(path.join(out, 'evidence', evidenceFile), 'altered');
    const bad = await verifyBundle(out);
    assert.deepEqual(bad.problems.map((p) => p.code), ['bundle.file_altered']);
    const failed = await promisify(execFile)('npx', ['tsx', 'cli/main.ts', 'audit', 'verify', '--bundle', out], { cwd: path.resolve(__dirname, '../..') }).then(() => 0, (e: { code: number }) => e.code);
    assert.equal(failed, 1);
  });

  it('leaves no configured secret in history, status, logs, audit records, outbox or report', async () => {
    const secrets = [SMTP_PASSWORD, fb.adminToken, 'token-alice', 'token-carol', fb.secrets.webhookSigningSecret.reveal(), ...[...fb.secrets.keyring.keys.values()].map((k) => k.toString('base64'))];
    const history = await fb.client.workflow.getHandle(incidentId).fetchHistory();
    const rawHistory = JSON.stringify(history);
    const status = JSON.stringify(await fb.api('GET', `/v1/incidents/${incidentId}`));
    const audit = await readFile(path.join(fb.dataDir, 'audit', 'audit.jsonl'), 'utf8');
    const outboxDir = path.join(fb.dataDir, 'outbox');
    const outbox = existsSync(outboxDir) ? readdirSync(outboxDir).map((f) => readFileSync(path.join(outboxDir, f), 'utf8')).join('\n') : '';
    const report = await (await fetch(`${fb.baseUrl}/v1/incidents/${incidentId}/report?format=html`, { headers: { authorization: `Bearer ${fb.adminToken}` } })).text();
    const places = { rawHistory, status, logs: logLines.join(''), audit, outbox, mails: mails.join('\n'), report };
    assert.ok(logLines.some((line) => line.includes('"msg":"decision refused"')), 'the logger was captured');
    for (const [where, text] of Object.entries(places)) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `a configured secret appears in ${where}`);
    }
  });
});
