import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { registerNoticesCommands } from '../../cli/commands/notices';
import { loadCatalogueFile } from '../../obligations/load';
import { findNotice, loadNoticeLibrary } from '../../obligations/notices';
import { loadRunbookLibrary } from '../../runbooks/load';
import type { Step } from '../../runbooks/schema/step';
import { tempDir } from '../helpers/temporal';

/** Runs `firebreak <args>` against a fresh program, capturing stdout and stderr instead of exiting. */
async function run(...args: string[]): Promise<{ out: string; err: string }> {
  const output = { out: '', err: '' };
  const program = new Command('firebreak');
  registerNoticesCommands(program, { out: (text) => (output.out += text), err: (text) => (output.err += text) });
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    command.commands.forEach(quiet);
  };
  quiet(program);
  await program.parseAsync(args, { from: 'user' });
  return output;
}

async function refusal(...args: string[]): Promise<string> {
  try {
    await run(...args);
  } catch (error) {
    assert.ok(error instanceof CommanderError);
    return error.code;
  }
  assert.fail('expected the command to be refused');
}

function flatSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((step) => {
    const nested = step as { steps?: Step[]; otherwise?: Step[]; branches?: Step[][] };
    return [step, ...flatSteps(nested.steps ?? []), ...flatSteps(nested.otherwise ?? []), ...flatSteps((nested.branches ?? []).flat())];
  });
}

describe('firebreak notices', () => {
  it('lists every template by obligation and audience', async () => {
    const { out } = await run('notices', 'list', '--json');
    const listed = (JSON.parse(out) as { notices: { obligation: string; audience: string }[] }).notices.map((n) => `${n.obligation}.${n.audience}`);
    assert.ok(listed.includes('gdpr-art33-sa.regulator'));
    assert.ok(listed.includes('generic.customers'));
  });

  it('prints subject and body as fields a runbook step can take as they are', async () => {
    const { out } = await run('notices', 'show', 'gdpr-art33-sa', 'regulator', '--yaml');
    const notice = findNotice(loadNoticeLibrary(loadCatalogueFile()), 'gdpr-art33-sa', 'regulator')!;
    assert.deepEqual(parseYaml(out), { subject: notice.subject, body: notice.body });
  });

  it('fills a template from an incident status, leaves config for the worker and names what is still unknown', async () => {
    const file = path.join(tempDir('notice'), 'incident.json');
    writeFileSync(file, JSON.stringify({ incidentId: 'incident/manual/abc', title: 'Export copied', severity: 'high', answers: { 'aware-at': '2026-03-02T09:30:00Z', 'malicious-suspected': 'yes' }, steps: [] }));
    const { out, err } = await run('notices', 'show', 'nis2-art23', 'regulator', '--render', '--incident-json', file, '--yaml');
    const rendered = parseYaml(out) as { subject: string; body: string };
    assert.ok(rendered.subject.endsWith('Export copied'));
    assert.ok(rendered.body.includes('incident/manual/abc'));
    assert.ok(rendered.body.includes('{{config.contacts.security}}'));
    assert.ok(err.includes('answers.cross-border'));
  });

  it('refuses an unknown audience, a missing template and --render without an incident, by code', async () => {
    assert.equal(await refusal('notices', 'show', 'gdpr-art33-sa', 'press'), 'notice.unknown_audience');
    assert.equal(await refusal('notices', 'show', 'dora-art19', 'regulator'), 'notice.not_found');
    assert.equal(await refusal('notices', 'show', 'gdpr-art33-sa', 'regulator', '--render'), 'notice.render_needs_incident');
  });

  it('refuses a template directory with a broken template, by code', async () => {
    const dir = tempDir('notices');
    writeFileSync(path.join(dir, 'gdpr-art33-sa.regulator.md'), '---\nobligation: gdpr-art33-sa\naudience: regulator\nsubject: x\n---\nbody\n');
    assert.equal(await refusal('notices', 'list', '--dir', dir), 'notices.invalid');
  });

  it('keeps the shipped runbooks’ notices word for word the same as their templates', async () => {
    const library = loadNoticeLibrary(loadCatalogueFile());
    const { runbooks } = await loadRunbookLibrary(path.join(__dirname, '..', '..', 'runbooks', 'library'));
    const steps = (runbook: string) => flatSteps(runbooks.find((p) => p.runbook.id === runbook)!.runbook.steps);
    for (const [runbook, notify, approval, obligation, audience] of [
      ['personal-data-breach', 'regulator-notice', 'regulator-notice-approved', 'gdpr-art33-sa', 'regulator'],
      ['personal-data-breach', 'subject-notice', 'subject-notice-approved', 'gdpr-art34-ds', 'individuals'],
      ['personal-data-breach', 'hipaa-individual-notice', 'hipaa-notice-approved', 'hipaa-individuals', 'individuals'],
      ['ransomware-host', 'form-8k', 'form-8k-approved', 'sec-8k-105', 'public'],
    ] as const) {
      const template = findNotice(library, obligation, audience)!;
      const step = (id: string) => steps(runbook).find((s) => s.id === id) as { draft?: string; with?: { body?: string } };
      assert.equal(step(notify).with?.body, template.body, `${runbook} ${notify}`);
      assert.equal(step(approval).draft, template.body, `${runbook} ${approval}`);
    }
  });
});
