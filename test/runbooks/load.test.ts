import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunbookIssue } from '../../runbooks/issues';
import { loadRunbookFile, loadRunbookText } from '../../runbooks/load';

const header = `id: test-runbook
version: 1
title: Test
roles: { respond: [security-oncall], approve: [legal] }
steps:
`;

function issuesOf(text: string, options = {}): RunbookIssue[] {
  const result = loadRunbookText(text, 'test.yaml', options);
  assert.equal(result.ok, false, 'expected the runbook to be refused');
  return result.ok ? [] : result.issues;
}

/** Each issue as `code@path@line:column`, the shape the assertions compare. */
const brief = (issues: RunbookIssue[]) => issues.map((i) => `${i.code}@${i.path.join('.')}@${i.line}:${i.column}`);

describe('loading a runbook', () => {
  it('loads a valid runbook and pins it to the sha256 of its exact bytes', () => {
    const text = `${header}  - id: note\n    action: noop\n`;
    const result = loadRunbookText(text, 'test.yaml');
    assert.ok(result.ok);
    assert.equal(result.pinned.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(result.pinned.file, 'test.yaml');
    assert.equal(result.pinned.runbook.steps[0]?.kind, 'action');
  });

  it('hashes bytes, not decoded text: a BOM changes the pin', () => {
    const text = `${header}  - id: note\n    action: noop\n`;
    const plain = loadRunbookText(Buffer.from(text), 'a.yaml');
    const bom = loadRunbookText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'a.yaml');
    assert.ok(plain.ok && bom.ok);
    assert.notEqual(plain.pinned.sha256, bom.pinned.sha256);
  });

  it('normalises every step kind', () => {
    const text = `${header}  - id: ask
    input: { ask: Sure?, type: choice, choices: [yes, no], role: respond }
  - id: pause
    wait: 10m
  - id: start
    clock: { start: gdpr-art33-sa, at: '{{answers.ask}}' }
  - id: child
    runbook: other-runbook
  - id: group
    steps:
      - id: approve-it
        approval: { role: approve, approvers: 2, timeout: 12h, escalate: respond }
  - id: both
    parallel:
      mode: first
      branches:
        - id: block
          action: network.block-ip
          with: { ip: 192.0.2.1, ttl: 24h }
          compensate: true
        - - id: isolate
            action: host.isolate
            with: { host: h1 }
            compensate: host.release
            retry: 3
            onFailure: continue
            stops: [gdpr-art33-sa]
  - id: branch
    when: 'answers.ask == "yes"'
    steps: [{ id: yes-note, action: noop }]
    otherwise: [{ id: no-note, action: noop, with: { note: fine } }]
`;
    const result = loadRunbookText(text, 'test.yaml');
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    const steps = result.pinned.runbook.steps;
    assert.deepEqual(steps.map((s) => s.kind), ['input', 'wait', 'clock', 'runbook', 'sequence', 'parallel', 'when']);
    const parallel = steps[5];
    assert.ok(parallel?.kind === 'parallel');
    assert.equal(parallel.mode, 'first');
    const [block] = parallel.branches[0] ?? [];
    assert.ok(block?.kind === 'action');
    assert.deepEqual(block.compensate, { action: 'network.unblock-ip', with: { ip: '192.0.2.1' } });
    const [isolate] = parallel.branches[1] ?? [];
    assert.ok(isolate?.kind === 'action');
    assert.deepEqual(isolate.compensate, { action: 'host.release', with: { host: 'h1' } });
    assert.equal(isolate.retry.maximumAttempts, 3);
    assert.deepEqual(isolate.stops, ['gdpr-art33-sa']);
    const clock = steps[2];
    assert.ok(clock?.kind === 'clock');
    assert.deepEqual(clock.start, ['gdpr-art33-sa']);
  });

  it('reports every problem in a file at once, in source order', () => {
    const text = `${header}  - id: one
    action: notify.fax
  - id: one
    approval: { role: nobody }
  - id: two
    action: identity.disable-user
    with: { usr: x }
  - id: three
    when: 'answers.x =='
    steps: [{ id: four, action: noop }]
`;
    assert.deepEqual(brief(issuesOf(text)), [
      'step.unknown_action@steps.0.action@7:13',
      'step.duplicate_id@steps.1.id@8:9',
      'step.unknown_role@steps.1.approval.role@9:23',
      'step.invalid_input@steps.2.with.user@12:11',
      'step.invalid_input@steps.2.with.usr@12:18',
      'cel.syntax@steps.3.when@14:11',
    ]);
  });

  const cases: { name: string; steps: string; expect: string[]; options?: object }[] = [
    { name: 'schema.invalid for a bad field value', steps: '  - id: wait-a-bit\n    wait: soon\n', expect: ['schema.invalid@steps.0.wait@7:11'] },
    { name: 'schema.invalid for a field that does not exist', steps: '  - id: x\n    action: noop\n    colour: red\n', expect: ['schema.invalid@steps.0.colour@8:13'] },
    { name: 'step.unknown_kind', steps: '  - id: x\n    notify: someone\n', expect: ['step.unknown_kind@steps.0@6:5'] },
    { name: 'step.ambiguous_kind', steps: '  - id: x\n    action: noop\n    wait: 5m\n', expect: ['step.ambiguous_kind@steps.0@6:5'] },
    { name: 'step.duplicate_id in a nested step', steps: '  - id: x\n    action: noop\n  - id: g\n    steps:\n      - id: x\n        action: noop\n', expect: ['step.duplicate_id@steps.1.steps.0.id@10:13'] },
    { name: 'step.unknown_action', steps: '  - id: x\n    action: dns.sinkhole\n', expect: ['step.unknown_action@steps.0.action@7:13'] },
    { name: 'step.unknown_action in compensate', steps: '  - id: x\n    action: noop\n    compensate: { action: noop-undo }\n', expect: ['step.unknown_action@steps.0.compensate.action@8:27'] },
    { name: 'step.invalid_input with the path to the bad field', steps: '  - id: x\n    action: http.request\n    with: { endpoint: "https://evil.example", method: GET }\n', expect: ['step.invalid_input@steps.0.with.endpoint@8:23'] },
    { name: 'step.no_undo', steps: '  - id: x\n    action: notify.slack\n    with: { text: hi }\n    compensate: true\n', expect: ['step.no_undo@steps.0.compensate@9:17'] },
    { name: 'step.unknown_role', steps: '  - id: x\n    input: { ask: Why?, type: text, role: cfo }\n', expect: ['step.unknown_role@steps.0.input.role@7:43'] },
    { name: 'step.unknown_clock against the default pattern', steps: '  - id: x\n    clock: { start: [GDPR 72h] }\n', expect: ['step.unknown_clock@steps.0.clock.start.0@7:22'] },
    {
      name: 'step.unknown_clock against a caller-supplied list',
      steps: '  - id: x\n    action: noop\n    stops: [sec-8k-105, made-up]\n',
      options: { clockIds: ['sec-8k-105'] },
      expect: ['step.unknown_clock@steps.0.stops.1@8:25'],
    },
    { name: 'cel.syntax', steps: '  - id: x\n    when: alert.title ==\n    steps: [{ id: y, action: noop }]\n', expect: ['cel.syntax@steps.0.when@7:11'] },
    { name: 'cel.type for an unknown variable', steps: '  - id: x\n    when: user.admin\n    steps: [{ id: y, action: noop }]\n', expect: ['cel.type@steps.0.when@7:11'] },
    { name: 'cel.type for a condition that is never a bool', steps: '  - id: x\n    when: "1 + 2"\n    steps: [{ id: y, action: noop }]\n', expect: ['cel.type@steps.0.when@7:11'] },
    { name: 'template.syntax', steps: "  - id: x\n    action: notify.slack\n    with: { text: 'hi {{alert.title' }\n", expect: ['template.syntax@steps.0.with.text@8:19'] },
    { name: 'template.unknown_var for an unknown root', steps: "  - id: x\n    action: notify.slack\n    with: { text: '{{secrets.token}}' }\n", expect: ['template.unknown_var@steps.0.with.text@8:19'] },
    { name: 'template.unknown_var for an answer no input step gives', steps: "  - id: x\n    action: notify.slack\n    with: { text: '{{answers.nope}}' }\n", expect: ['template.unknown_var@steps.0.with.text@8:19'] },
    { name: 'template.unknown_var for a step that does not exist', steps: "  - id: x\n    action: evidence.capture\n    with: { name: a.json, from: steps.ghost }\n", expect: ['template.unknown_var@steps.0.with.from@8:33'] },
    { name: 'template.unknown_var for an alert field that does not exist', steps: "  - id: x\n    action: notify.slack\n    with: { text: '{{alert.user}}' }\n", expect: ['template.unknown_var@steps.0.with.text@8:19'] },
  ];
  for (const { name, steps, expect, options } of cases) {
    it(`reports ${name} with its path, line and column`, () => {
      assert.deepEqual(brief(issuesOf(header + steps, options)), expect);
    });
  }

  it('reports cel problems in match at the match field', () => {
    const text = header.replace('title: Test\n', "title: Test\nmatch: 'alert.labels.x =='\n") + '  - id: x\n    action: noop\n';
    assert.deepEqual(brief(issuesOf(text)), ['cel.syntax@match@4:8']);
  });

  it('reports schema.invalid for a missing required header field at the top of the file', () => {
    const text = header.replace('version: 1\n', '') + '  - id: x\n    action: noop\n';
    assert.deepEqual(brief(issuesOf(text)), ['schema.invalid@version@1:1']);
  });

  it('reports yaml.syntax with its position', () => {
    const issues = issuesOf(`${header}  - id: x\n    action: [noop\n`);
    assert.ok(issues.length > 0);
    assert.ok(issues.every((i) => i.code === 'yaml.syntax' && i.line !== undefined && i.column !== undefined));
  });

  it('reports yaml.duplicate_key at the second key', () => {
    assert.deepEqual(brief(issuesOf(`${header}  - id: x\n    id: y\n    action: noop\n`)), ['yaml.duplicate_key@@7:5']);
  });

  it('refuses a YAML bomb with yaml.alias_limit', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    assert.deepEqual(issuesOf(levels.join('\n') + '\n').map((i) => i.code), ['yaml.alias_limit']);
  });

  it('refuses a file over the size limit with yaml.too_large, before parsing', () => {
    const big = `${header}  - id: x\n    action: noop\n    with: { note: "${'x'.repeat(300 * 1024)}" }\n`;
    assert.deepEqual(issuesOf(big).map((i) => i.code), ['yaml.too_large']);
    assert.deepEqual(issuesOf(`${header}  - id: x\n    action: noop\n`, { limits: { maxBytes: 10 } }).map((i) => i.code), ['yaml.too_large']);
  });

  it('refuses bytes that are not UTF-8 with yaml.encoding', () => {
    const result = loadRunbookText(Uint8Array.from([0x69, 0x64, 0x3a, 0x20, 0xff, 0xfe]), 'bad.yaml');
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map((i) => i.code), ['yaml.encoding']);
  });

  it('loads from a file, and an incident keeps its pinned runbook when the file changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firebreak-runbook-'));
    const file = join(dir, 'r.yaml');
    await writeFile(file, `${header}  - id: x\n    action: noop\n`);
    const first = await loadRunbookFile(file);
    assert.ok(first.ok);
    const snapshot = structuredClone(first.pinned);
    await writeFile(file, `${header}  - id: y\n    action: noop\n`);
    const second = await loadRunbookFile(file);
    assert.ok(second.ok);
    assert.notEqual(second.pinned.sha256, first.pinned.sha256);
    assert.deepEqual(first.pinned, snapshot);
  });
});
