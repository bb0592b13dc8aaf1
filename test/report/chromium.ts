import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export interface RenderedReport {
  stepMarks: number;
  clockMarks: number;
  timelineWidth: number;
  graphNodes: number;
}

const MEASURE = `(() => {
  const visible = (selector) => [...document.querySelectorAll(selector)].filter((el) => el.getBBox().width > 0).length;
  const svg = document.querySelector('svg#timeline');
  return {
    stepMarks: visible('svg#timeline g.mark[data-kind="step"] rect'),
    clockMarks: visible('svg#timeline g.mark[data-kind="clock"] rect'),
    timelineWidth: svg ? svg.getBoundingClientRect().width : 0,
    graphNodes: document.querySelectorAll('#runbook svg g.node').length,
  };
})()`;

/**
 * Opens the report from a file in headless Debian Chromium (driven by playwright-core) and measures what rendered.
 * Resolves undefined, with the reason on stderr, when Chromium or playwright-core is not installed.
 */
export async function renderInChromium(html: string): Promise<RenderedReport | undefined> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch {
    process.stderr.write('    skipped: playwright-core is not installed (npm install -D playwright-core)\n');
    return undefined;
  }
  if (!CHROMIUM) {
    process.stderr.write('    skipped: no chromium binary (apt-get install -y chromium)\n');
    return undefined;
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fb-report-')), 'report.html');
  writeFileSync(file, html);
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    // A string, not a function: tsx would wrap a function in helpers that don't exist inside the page.
    return (await page.evaluate(MEASURE)) as RenderedReport;
  } finally {
    await browser.close();
  }
}
