import assert from 'node:assert/strict';
import { Command, CommanderError } from 'commander';
import { registerDeadlinesCommands } from '../../cli/commands/deadlines';

/** Runs `firebreak <args>` against a fresh program, capturing output instead of exiting. */
async function run(...args: string[]): Promise<string> {
  let output = '';
  const program = new Command('firebreak');
  registerDeadlinesCommands(program, { out: (text) => (output += text) });
  // Subcommands do not inherit exitOverride once created, so set it on the whole tree.
  const quiet = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    command.commands.forEach(quiet);
  };
  quiet(program);
  await program.parseAsync(args, { from: 'user' });
  return output;
}

describe('firebreak deadlines', () => {
  it('explains SEC 8-K with the due time in UTC and New York time, and why', async () => {
    const text = await run('deadlines', 'explain', 'sec-8k-105', '--from', '2026-11-21T10:00:00-05:00');
    assert.match(text, /2026-11-27T22:30:00Z/);
    assert.match(text, /2026-11-27 17:30:00 .* America\/New_York/);
    assert.match(text, /2026-11-26/);
  });

  it('renders local times in the zone given with --zone', async () => {
    const text = await run('deadlines', 'explain', 'gdpr-art33-sa', '--from', '2026-06-05T17:30:00+02:00', '--zone', 'Asia/Tokyo');
    // 8 Jun 15:30Z is 9 Jun 00:30 in Tokyo (UTC+9).
    assert.match(text, /2026-06-08T15:30:00Z/);
    assert.match(text, /2026-06-09 00:30:00 .* Asia\/Tokyo/);
  });

  it('passes facts, anchors and submissions through to the computation', async () => {
    const text = await run(
      'deadlines', 'explain', 'dora-art19', '--from', '2026-07-10T22:00:00+02:00',
      '--anchor', 'awareness=2026-07-10T09:00:00Z',
      '--fact', 'memberState=DE', '--fact', 'entityType=payment-institution', '--fact', 'nis2Designated=false',
      '--submitted', 'initial=2026-07-13T09:00:00Z',
    );
    assert.match(text, /due 2026-07-13T10:00:00Z/); // initial, relieved to Monday noon
    assert.match(text, /due 2026-07-16T09:00:00Z/); // intermediate, from the actual submission
  });

  it('fails with obligation.unknown for an id not in the catalogue', async () => {
    await assert.rejects(run('deadlines', 'explain', 'gdpr-art99', '--from', '2026-06-05T17:30:00Z'), (error: unknown) => {
      return error instanceof CommanderError && error.code === 'obligation.unknown';
    });
  });

  it('fails with deadline.invalid_input for a time without an offset', async () => {
    await assert.rejects(run('deadlines', 'explain', 'gdpr-art33-sa', '--from', '2026-06-05T17:30'), (error: unknown) => {
      return error instanceof CommanderError && error.code === 'deadline.invalid_input';
    });
  });

  it('lists obligations as JSON with the catalogue version', async () => {
    const listed = JSON.parse(await run('deadlines', 'list', '--json')) as { version: string; obligations: { id: string; enabled: boolean }[] };
    assert.ok(listed.version.length > 0);
    assert.ok(listed.obligations.some((o) => o.id === 'sec-8k-105' && o.enabled));
    assert.ok(listed.obligations.some((o) => o.id === 'circia' && !o.enabled));
  });

  it('lists obligations as text, one line each', async () => {
    const text = await run('deadlines', 'list');
    assert.match(text, /^nis2-art23 .*early-warning, notification, final-report/m);
  });
});
