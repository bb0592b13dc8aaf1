import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { tempDir } from '../helpers/temporal';
import { startTestProvider, type TestProvider } from './oidc-test-provider';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SHOTS = path.resolve(__dirname, '..', '..', '.test-data', 'console-screenshots');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'runbooks', 'console');
const AXE = require.resolve('axe-core/axe.min.js');

/*
 * The console in headless Chromium against Firebreak as `npm start` composes it (real Temporal, real worker, real
 * HTTP service) and a real OpenID Connect provider on loopback. Alice (legal) declares a breach and may not approve
 * its notice (she requested it); Lee (legal) may. Dana (dpo) answers the awareness question through the API while
 * Alice watches the page.
 */
describe('the incident console', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;
  let idp: TestProvider;
  let browser: Browser;
  let alice: BrowserContext;
  let page: Page;
  let incidentPath: string;
  let incidentId: string;
  let privateId: string;
  let lookup: Server;
  let lookupHealed = false;

  before(async function () {
    if (!CHROMIUM) return this.skip(); // needs Debian's chromium (apt-get install -y chromium)
    mkdirSync(SHOTS, { recursive: true });
    const runbooks = tempDir('runbooks');
    for (const file of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, file), path.join(runbooks, file));
    lookup = createServer((request, response) => response.writeHead(request.url === '/needed' && lookupHealed ? 200 : 503, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => lookup.listen(0, '127.0.0.1', resolve));
    const idpPort = await freePort();
    process.env.FB_CONSOLE_TEST_OIDC_SECRET = 'console-test-client-secret';
    fb = await FirebreakUnderTest.start({
      people: [
        { id: 'alice', roles: ['legal'], email: 'alice@example.com' },
        { id: 'lee', roles: ['legal'], email: 'lee@example.com' },
        { id: 'dana', roles: ['dpo'], email: 'dana@example.com' },
      ],
      env: { FIREBREAK_RUNBOOKS_DIR: runbooks },
      config: { endpoints: { lookup: { url: `http://127.0.0.1:${(lookup.address() as AddressInfo).port}`, timeoutMs: 2000 } }, console: { oidc: { issuer: `http://127.0.0.1:${idpPort}`, clientId: 'firebreak-console', clientSecret: 'env:FB_CONSOLE_TEST_OIDC_SECRET' } } },
    });
    idp = await startTestProvider(idpPort, { id: 'firebreak-console', secret: 'console-test-client-secret', redirectUri: `${fb.baseUrl}/console/auth/callback`, postLogoutRedirectUri: `${fb.baseUrl}/console/sign-in` });
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'On-call only: odd logins', runbook: 'oncall-triage' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    privateId = declared.body.incidentId;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    alice = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin' });
    page = await alice.newPage();
  });

  after(async () => {
    await browser?.close();
    await idp?.close();
    await fb?.stop();
    lookup?.close();
  });

  const shot = (p: Page, name: string) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  /** Through the identity provider's own login and consent pages, back to the console. */
  async function signIn(p: Page, login: string): Promise<void> {
    await p.getByRole('link', { name: 'Sign in with your identity provider' }).click();
    await p.waitForURL((url) => url.origin === idp.issuer);
    await p.fill('input[name="login"]', login);
    await p.fill('input[name="password"]', 'any password');
    await p.click('button[type="submit"]');
    while (new URL(p.url()).origin === idp.issuer) {
      await p.waitForLoadState();
      if (new URL(p.url()).origin !== idp.issuer) break;
      await p.click('button[type="submit"]'); // consent
      await p.waitForLoadState();
    }
    await p.waitForURL((url) => url.pathname.startsWith('/console/'));
  }

  // A status query can miss its worker for a moment on a loaded machine (503, retry later): ask again.
  const status = () =>
    eventually(async () => {
      const answer = await fb.api<IncidentStatus>('GET', `/v1/incidents/${incidentId}`);
      return answer.status === 200 ? answer.body : undefined;
    }, 20_000, 'incident status');

  it('sends a signed-out visitor to the sign-in page, and signs in through the OIDC provider', async () => {
    const response = await page.goto(`${fb.baseUrl}/console/incidents`);
    assert.equal(new URL(page.url()).pathname, '/console/sign-in');
    assert.equal(response!.status(), 200);
    assert.match(response!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await shot(page, '01-sign-in');
    await signIn(page, 'alice');
    assert.equal(new URL(page.url()).pathname, '/console/incidents');
    await page.getByText('Signed in as').waitFor();
    const cookie = (await alice.cookies()).find((c) => c.name === 'fb_console')!;
    assert.ok(cookie.httpOnly && cookie.secure && cookie.sameSite === 'Lax' && cookie.expires > Date.now() / 1000, JSON.stringify(cookie));
  });

  it('declares an incident with labels from the runbook picker', async () => {
    await page.getByRole('link', { name: 'Declare an incident' }).click();
    await page.getByText('When did we become aware of the breach?').waitFor();
    await page.getByText('Labels it reads (asked later if not given here): service; region').waitFor();
    await shot(page, '02-declare');
    await page.fill('#title', 'Customer database exfiltration');
    await page.fill('#labels', 'service payments');
    await page.getByLabel(/GDPR clock for metrics/).check();
    await page.getByRole('button', { name: 'Declare' }).click();
    assert.equal(await page.locator('#refusal-code').textContent(), 'request.invalid');
    await page.getByText('labels line 1: expected name=value').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/declare', 'refused: back on the form by a redirect');
    assert.equal(await page.inputValue('#title'), 'Customer database exfiltration', 'what was typed is offered again');
    assert.ok(await page.getByLabel(/GDPR clock for metrics/).isChecked(), 'the chosen runbook too');
    await page.fill('#labels', 'service-name=payments');
    await page.getByRole('button', { name: 'Declare' }).click();
    await page.getByText('labels.service-name: label names are letters, digits and _').waitFor();
    await page.selectOption('#severity', 'critical');
    await page.fill('#labels', 'service=payments\nregion=eu-west-1');
    await page.getByRole('button', { name: 'Declare' }).click();
    await page.getByText('The incident is declared').waitFor();
    incidentPath = new URL(page.url()).pathname;
    incidentId = incidentPath.replace('/console/incidents/', '');
    assert.match(incidentId, /^incident\/declared\//);
    const s = await status();
    assert.equal(s.openedBy, 'alice');
    assert.equal(s.severity, 'critical');
  });

  it('lists only the incidents the signed-in person may see', async () => {
    await page.goto(`${fb.baseUrl}/console/incidents`);
    await page.locator(`tr[data-incident="${incidentId}"]`).waitFor();
    assert.equal(await page.locator(`tr[data-incident="${privateId}"]`).count(), 0, 'legal does not see the on-call incident');
    await shot(page, '03-incidents');
    const filters: [string, boolean][] = [['q=EXFILTRATION', true], ['q=odd+logins', false], ['severity=critical', true], ['severity=low', false], ['runbook=gdpr-clock-metrics', true], ['runbook=oncall-triage', false], ['state=running', true], ['state=closed', false]];
    for (const [query, shown] of filters) {
      await page.goto(`${fb.baseUrl}/console/incidents?${query}`);
      assert.equal(await page.locator(`tr[data-incident="${incidentId}"]`).count(), shown ? 1 : 0, `filter ${query}`);
    }
    const admin = await browser.newContext();
    try {
      const adminPage = await admin.newPage();
      await adminPage.goto(`${fb.baseUrl}/console/sign-in`);
      await adminPage.fill('#token', fb.adminToken);
      await adminPage.getByRole('button', { name: 'Sign in with the token' }).click();
      await adminPage.locator(`tr[data-incident="${privateId}"]`).waitFor();
      assert.equal(await adminPage.locator(`tr[data-incident="${incidentId}"]`).count(), 1, 'the incident commander sees both');
    } finally {
      await admin.close();
    }
    const direct = await page.goto(`${fb.baseUrl}/console/incidents/${privateId}`);
    assert.equal(direct!.status(), 403);
    assert.equal(await page.locator('#refusal-code').textContent(), 'access.not_a_viewer');
  });

  it('shows a step change state and a clock tick without reloading', async () => {
    await page.goto(`${fb.baseUrl}${incidentPath}`);
    await page.locator('[data-step-state="aware-at"]').getByText('waiting').waitFor();
    let reloaded = false;
    page.once('load', () => (reloaded = true));
    const aware = new Date(Date.now() - 3 * 3600_000).toISOString();
    const answered = await fb.api('POST', `/v1/incidents/${incidentId}/steps/aware-at/answer`, { value: aware }, 'token-dana');
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    await page.locator('[data-step-state="aware-at"]').getByText('done').waitFor({ timeout: 15_000 });
    await page.locator('#live-steps g.node.state-done[data-step="aware-at"]').waitFor({ state: 'attached' });
    const countdown = page.locator('#live-clocks .countdown').first();
    await countdown.waitFor({ timeout: 15_000 });
    const first = await countdown.textContent();
    await page.waitForTimeout(2_100);
    const later = await countdown.textContent();
    assert.notEqual(later, first, 'the countdown ticks');
    assert.match(later ?? '', /^2d 2[01]h \d+m \d+s left$/, 'GDPR 72 h from an awareness three hours ago');
    // Due times in the viewer's zone (this browser is in Berlin) beside UTC.
    const due = (await page.locator('#live-clocks time').first().textContent()) ?? '';
    assert.match(due, /GMT\+[12]|CES?T/, due);
    assert.match(due, / · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/, due);
    assert.equal(reloaded, false, 'the page was not reloaded');
    await page.locator('#live-decisions').getByText('Approve notice-approved?').waitFor({ timeout: 15_000 });
    // The draft reads alert.labels: the labels typed at declaration reached the runbook as labels.
    await page.locator('pre.draft').getByText('Regulator notice: Customer database exfiltration, service payments in eu-west-1.').waitFor();
    // The notice drafted since the page loaded joins the notices table live, with its text's hash, not yet sent.
    await page.locator('#live-records tr', { hasText: 'notice-approved' }).getByText('not sent').waitFor({ timeout: 15_000 });
    assert.equal(reloaded, false, 'the page was not reloaded');
    await shot(page, '04-incident');
  });

  it('lists the running clock and who the incident waits on, counting down without a reload', async () => {
    await page.goto(`${fb.baseUrl}/console/incidents`);
    const row = page.locator(`tr[data-incident="${incidentId}"]`);
    await row.getByText('notice-approved').waitFor({ timeout: 15_000 });
    assert.match((await row.textContent()) ?? '', /approval by legal, requested by alice/);
    const countdown = row.locator('.countdown').first();
    const first = await countdown.textContent();
    await page.waitForTimeout(2_100);
    assert.notEqual(await countdown.textContent(), first, 'the list countdown ticks');
    assert.match((await countdown.textContent()) ?? '', /^2d 2[01]h \d+m \d+s left$/);
    await page.goto(`${fb.baseUrl}${incidentPath}`);
  });

  it('refuses the requester approving her own notice (from the keyboard), showing the validator code, and records nothing', async () => {
    const before = (await status()).timeline.length;
    const focused = () => page.evaluate(`(() => { const e = document.activeElement; return e ? e.tagName + '|' + (e.getAttribute('name') || '') + '|' + (e.textContent || '').trim() + '|' + (e.closest('form')?.getAttribute('action') || '') : ''; })()`) as Promise<string>;
    await page.keyboard.press('Tab');
    assert.match(await focused(), /^A\|\|Skip to content/, 'the first stop is the skip link');
    await page.keyboard.press('Enter');
    for (let i = 0; i < 60 && !/^TEXTAREA\|reason\|.*notice-approved\/decide$/.test(await focused()); i++) await page.keyboard.press('Tab');
    assert.match(await focused(), /^TEXTAREA\|reason\|/, 'the reason box is reached by Tab');
    await page.keyboard.type('looks right to me');
    await page.keyboard.press('Tab');
    assert.match(await focused(), /^BUTTON\|decision\|Approve\|/);
    await page.keyboard.press('Enter');
    await page.locator('#refusal-code').waitFor();
    assert.equal(await page.locator('#refusal-code').textContent(), 'approval.separation_of_duties');
    await shot(page, '05-refused');
    assert.equal((await status()).timeline.length, before, 'a refusal never enters the incident');
    // Post/Redirect/Get: the refusal is on the incident page the form redirected to; a reload asks for that page
    // again (no prompt, nothing posted) and shows the refusal no more.
    assert.equal(new URL(page.url()).pathname, incidentPath);
    const posted: string[] = [];
    const onRequest = (r: { method(): string; url(): string }) => r.method() === 'POST' && posted.push(r.url());
    page.on('request', onRequest);
    const reloaded = await page.reload();
    page.off('request', onRequest);
    assert.equal(reloaded?.request().method(), 'GET');
    assert.deepEqual(posted, []);
    assert.equal(await page.locator('#refusal-code').count(), 0, 'the refusal is shown once');
  });

  it('refuses a form without its CSRF token', async () => {
    const post = (form: Record<string, string>) => alice.request.post(`${fb.baseUrl}${incidentPath}/steps/notice-approved/decide`, { form, maxRedirects: 0 });
    const missing = await post({ decision: 'approve', reason: 'forged' });
    assert.equal(missing.status(), 403);
    assert.match(await missing.text(), /csrf\.invalid/);
    const wrong = await post({ decision: 'approve', reason: 'forged', _csrf: 'A'.repeat(43) });
    assert.equal(wrong.status(), 403);
    const signedOut = await fetch(`${fb.baseUrl}${incidentPath}/steps/notice-approved/decide`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve&reason=x', redirect: 'manual' });
    assert.equal(signedOut.status, 401);
  });

  it('accepts the approval of a second approver, and the requester sees it land live on the incident and in the list', async () => {
    const list = await alice.newPage();
    await list.goto(`${fb.baseUrl}/console/incidents`);
    const row = list.locator(`tr[data-incident="${incidentId}"]`);
    await row.getByText('notice-approved').waitFor();
    let listReloaded = false;
    list.once('load', () => (listReloaded = true));
    const lee = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const leePage = await lee.newPage();
      await leePage.goto(`${fb.baseUrl}${incidentPath}`);
      await signIn(leePage, 'lee');
      assert.equal(new URL(leePage.url()).pathname, incidentPath, 'back where sign-in started');
      const form = leePage.locator('form[action$="/steps/notice-approved/decide"]');
      await form.locator('textarea[name="reason"]').fill('notifiable: personal data of EU customers');
      await form.getByRole('button', { name: 'Approve' }).click();
      await leePage.getByText('Your approval is recorded.').waitFor();
      assert.equal(new URL(leePage.url()).pathname, incidentPath, 'redirected to the incident page');
      const again = await leePage.reload();
      assert.equal(again?.request().method(), 'GET');
      assert.equal(await leePage.getByText('Your approval is recorded.').count(), 0, 'the confirmation is shown once');
    } finally {
      await lee.close();
    }
    const approval = (await status()).approvals.find((a) => a.stepId === 'notice-approved')!;
    assert.deepEqual(approval.decisions.map((d) => [d.by, d.decision]), [['lee', 'approve']]);
    await page.locator('[data-step-state="notice-approved"]').getByText('done').waitFor({ timeout: 15_000 });
    await eventually(async () => ((await row.textContent())?.includes('notice-approved') ? undefined : true), 20_000, 'the list row no longer waits on the approval');
    assert.equal(listReloaded, false, 'the list was not reloaded');
    await list.close();
  });

  it('shows the evidence with its hash and custody, and the notice with the hash of the text approved', async () => {
    const s = await status();
    const approval = s.approvals.find((a) => a.stepId === 'notice-approved')!;
    const captured = s.steps.find((step) => step.id === 'preserve-declaration')!.result as { sha256: string };
    await page.goto(`${fb.baseUrl}${incidentPath}`);
    const evidence = page.locator('table', { has: page.locator('caption', { hasText: 'Evidence' }) }).locator('tbody tr').first();
    assert.match((await evidence.textContent()) ?? '', /declaration\.json/);
    assert.equal(await evidence.locator('code.hash').textContent(), captured.sha256);
    assert.match((await evidence.locator('td').last().textContent()) ?? '', /\w+.* by /, 'a custody record');
    const notice = page.locator('table', { has: page.locator('caption', { hasText: 'Notices' }) }).locator('tbody tr').first();
    assert.equal(await notice.locator('code.hash').first().textContent(), approval.draftSha256);
    assert.match((await notice.textContent()) ?? '', /approve by lee/);
    // The graph and every table fit a 1280 px window.
    assert.ok((await page.evaluate('document.documentElement.scrollWidth')) as number <= 1280);
  });

  it('shows the report with the shared rendering: a time axis fitting what happened and the deadline as a marker', async () => {
    await page.goto(`${fb.baseUrl}${incidentPath}/report`);
    await page.locator('svg#timeline').waitFor();
    const layout = (await page.evaluate(`(() => {
      const svg = document.querySelector('svg#timeline');
      const cells = [...document.querySelectorAll('.report td')].map((td) => td.getBoundingClientRect().width);
      return { svgWidth: svg.getBoundingClientRect().width, beyond: svg.querySelectorAll('g.due-beyond').length, pageWidth: document.documentElement.scrollWidth, narrowest: Math.min(...cells) };
    })()`)) as { svgWidth: number; beyond: number; pageWidth: number; narrowest: number };
    assert.ok(layout.beyond >= 1, 'the 72 h deadline lies beyond what happened: drawn as a marker at the edge');
    assert.ok(layout.pageWidth <= 1280, `the page fits 1280 px (${layout.pageWidth})`);
    assert.ok(layout.narrowest >= 30, `no one-character columns (narrowest cell ${layout.narrowest} px)`);
    await shot(page, '06-report');
  });

  it('has no serious or critical accessibility violations (axe-core) on the main pages', async () => {
    const audit = await browser.newContext({ bypassCSP: true, storageState: await alice.storageState() });
    try {
      const p = await audit.newPage();
      const found: string[] = [];
      const results: Record<string, unknown> = {};
      for (const [name, route] of [['sign-in', '/console/sign-in'], ['incidents', '/console/incidents'], ['incident', incidentPath], ['declare', '/console/declare'], ['report', `${incidentPath}/report`]] as const) {
        await p.goto(`${fb.baseUrl}${route}`);
        await p.addScriptTag({ path: AXE });
        const result = (await p.evaluate(`axe.run(document).then((r) => ({ passes: r.passes.length, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) }))`)) as { passes: number; violations: { id: string; impact: string; nodes: number }[] };
        assert.ok(result.passes > 10, `axe ran its rules on ${route}`);
        results[name] = result;
        found.push(...result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${route} ${v.id}: ${v.nodes}`));
      }
      // The figures for a reviewer, beside the screenshots: rules passed and every violation by impact, per page.
      writeFileSync(path.join(SHOTS, 'axe-results.json'), `${JSON.stringify(results, null, 2)}\n`);
      assert.deepEqual(found, []);
    } finally {
      await audit.close();
    }
  });

  it('signs out here and at the identity provider (RP-initiated logout), and a signed-out visitor is sent to sign in again', async () => {
    await page.goto(`${fb.baseUrl}/console/incidents`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    assert.ok(new URL(page.url()).searchParams.get('id_token_hint'), 'the provider is told whose session to end');
    assert.equal((await alice.cookies(fb.baseUrl)).find((c) => c.name === 'fb_console'), undefined, 'the console session is gone before the provider answers');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.pathname === '/console/sign-in');
    await page.goto(`${fb.baseUrl}${incidentPath}`);
    assert.equal(new URL(page.url()).pathname, '/console/sign-in');
    assert.equal(new URL(page.url()).searchParams.get('return'), incidentPath);
    // The provider's session ended too: signing in asks for the login again instead of passing straight through.
    await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name="login"]').waitFor();
  });

  it('signs a token session out here only, and refuses a wrong token on a page a reload does not post again', async () => {
    const admin = await browser.newContext();
    try {
      const p = await admin.newPage();
      await p.goto(`${fb.baseUrl}/console/sign-in`);
      await p.fill('#token', 'not-a-token');
      await p.getByRole('button', { name: 'Sign in with the token' }).click();
      assert.equal(await p.locator('.refusal code').textContent(), 'auth.token_unknown');
      assert.equal(new URL(p.url()).pathname, '/console/sign-in');
      assert.equal((await p.reload())?.request().method(), 'GET');
      assert.equal(await p.locator('.refusal').count(), 0);
      await p.fill('#token', fb.adminToken);
      await p.getByRole('button', { name: 'Sign in with the token' }).click();
      await p.getByText('Signed in as').waitFor();
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.waitForURL((url) => url.pathname === '/console/sign-in');
      assert.equal((await admin.cookies(fb.baseUrl)).find((c) => c.name === 'fb_console'), undefined);
    } finally {
      await admin.close();
    }
  });
  it('takes a typed answer and a clock stop through the console forms, refusing the stop to a role that may not', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Laptop lost with customer list', runbook: 'gdpr-clock-metrics', labels: { service: 'crm', region: 'eu-central-1' } });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const path = `/console/incidents/${declared.body.incidentId}`;
    const dana = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await dana.newPage();
      // Dana's live stream is held, then answered with her own decisions plus one more, while she types a reason.
      let releaseLive!: () => void;
      const liveHeld = new Promise<void>((resolve) => (releaseLive = resolve));
      let liveDecisions = '';
      await p.route((url) => url.pathname === `${path}/events`, async (route) => {
        await liveHeld;
        const data = `${liveDecisions}<p id="another-decision">A second decision arrived.</p>`.split('\n').map((line) => `data: ${line}`).join('\n');
        await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: `retry: 60000\nevent: decisions\n${data}\n\n` }).catch(() => undefined);
      });
      await p.goto(`${fb.baseUrl}${path}`);
      await signIn(p, 'dana');
      const answer = p.locator('form[action$="/steps/aware-at/answer"]');
      await answer.waitFor({ timeout: 15_000 });
      await answer.locator('input[name="value"]').fill(new Date(Date.now() - 3_600_000).toISOString());
      await answer.getByRole('button', { name: 'Answer' }).click();
      await p.getByText('Your answer is recorded.').waitFor();
      const stop = p.locator('form[action$="/clocks/gdpr-art33-sa/stop"]');
      await stop.waitFor({ timeout: 15_000 });
      await stop.locator('textarea[name="reason"]').fill('not notifiable: the laptop was encrypted');
      liveDecisions = await p.locator('#live-decisions').innerHTML();
      releaseLive();
      await p.locator('#another-decision').waitFor();
      assert.equal(await stop.locator('textarea[name="reason"]').inputValue(), 'not notifiable: the laptop was encrypted', 'a live update keeps what she typed');
      assert.equal(await p.evaluate("document.activeElement?.getAttribute('name')"), 'reason', 'and where her cursor was');
      await stop.getByRole('button', { name: 'Stop the clock' }).click();
      assert.equal(await p.locator('#refusal-code').textContent(), 'approval.not_permitted', 'the DPO holds no disclosure role here');

      const q = await admin.newPage();
      await q.goto(`${fb.baseUrl}/console/sign-in?return=${encodeURIComponent(path)}`);
      await q.fill('#token', fb.adminToken);
      await q.getByRole('button', { name: 'Sign in with the token' }).click();
      const commander = q.locator('form[action$="/clocks/gdpr-art33-sa/stop"]');
      await commander.locator('textarea[name="reason"]').fill('not notifiable: the laptop was encrypted');
      await commander.getByRole('button', { name: 'Stop the clock' }).click();
      await q.getByText('The clock is stopped, with your reason.').waitFor();
      await q.locator('#live-clocks').getByText('not notifiable: the laptop was encrypted').waitFor();
    } finally {
      await dana.close();
      await admin.close();
    }
  });

  it('resolves a blocked step from its form: retry once the upstream is back, and the runbook goes on', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Lookup down', runbook: 'blocked-lookup' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;
    // Alice signed out above; the local admin (the incident commander) resolves it.
    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await admin.newPage();
      await p.goto(`${fb.baseUrl}/console/sign-in?return=${encodeURIComponent(`/console/incidents/${id}`)}`);
      await p.fill('#token', fb.adminToken);
      await p.getByRole('button', { name: 'Sign in with the token' }).click();
      const form = p.locator('form[action$="/steps/needed-lookup/resolve"]');
      await form.waitFor({ timeout: 20_000 });
      await p.locator('[data-step-state="needed-lookup"]').getByText('blocked').waitFor();
      lookupHealed = true;
      await form.getByLabel('Retry it').check();
      await form.locator('textarea[name="reason"]').fill('the lookup service is back');
      await form.getByRole('button', { name: 'Resolve' }).click();
      await p.getByText('Your decision on the blocked step is recorded.').waitFor();
      await p.locator('[data-step-state="after-lookup"]').getByText('done').waitFor({ timeout: 20_000 });
      const status = await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`);
      assert.equal(status.body.steps.find((s) => s.id === 'needed-lookup')?.state, 'done');
      assert.ok(status.body.timeline.some((t) => t.event === 'step.resolution.retry' && t.actor === 'local-admin'), 'the timeline names who chose retry');
    } finally {
      await admin.close();
    }
  });
});
