import path from 'node:path';
import Mocha from 'mocha';
import { sweepDays } from './helpers/calendar-scenarios';

/*
 * `npm run test:dates [-- --quick]`: runs the tests whose scenarios sit on a running clock as if today were each day
 * after a US federal holiday and each EU DST change in the next two years. FIREBREAK_TEST_TODAY moves the
 * time-skipping server's own clock there before any test runs, so the workflows, their timers and the scenarios all
 * see that day. `--quick` takes every fourth day (what CI runs).
 */

const files = ['test/workflows/deadline-clocks/regulatory-clocks.test.ts', 'test/workflows/deadline-clocks/gdpr-clock.test.ts'].map((f) => path.resolve(f));
// Root hooks (shared dev server shutdown, runtime logging) as .mocharc.json installs them.
const { mochaHooks } = require('./helpers/temporal') as typeof import('./helpers/temporal');

async function runAt(day: string): Promise<number> {
  process.env.FIREBREAK_TEST_TODAY = `${day}T12:00:00Z`;
  const mocha = new Mocha({ timeout: 120_000, reporter: 'dot', rootHooks: { afterAll: mochaHooks.afterAll } });
  for (const file of files) mocha.addFile(file);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  mocha.unloadFiles();
  mocha.dispose();
  return failures;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const days = sweepDays().filter((_, i) => !quick || i % 4 === 0);
  const failed: string[] = [];
  const started = Date.now();
  for (const [i, { day, why }] of days.entries()) {
    process.stdout.write(`\n[${i + 1}/${days.length}] as if today were ${day} (${why})\n`);
    if ((await runAt(day)) > 0) failed.push(day);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\ndate sweep: ${days.length - failed.length}/${days.length} days passed in ${seconds}s${failed.length ? `; failed on ${failed.join(', ')}` : ''}\n`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
