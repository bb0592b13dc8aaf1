import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Activities } from '../../activities';
import { ActionId, ViewId } from '../../slack/action-ids';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FakeSlack, type FakeMessage, SlackSender, SocketSender } from '../helpers/fake-slack';
import { FirebreakUnderTest, type Person, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

export const TEAM = { id: 'T0FIRE', appId: 'A0FIRE' };
export const SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const LEGAL_GROUP = 'S0LEGAL';

/** Slack users of the test workspace and what they are. */
export const U = {
  lena: 'U0LENA', // legal, through the user group
  liam: 'U0LIAM', // legal, through the user group
  sam: 'U0SAM', // security on-call (config user)
  olga: 'U0OLGA', // nobody in particular
  cole: 'U0COLE', // incident commander (config user)
};

/** Approve, then a typed question, then a no-op; the approval escalates after `escalateAfter` when given. */
export function drillRunbook(escalateAfter?: string): string {
  return toYaml({
    id: 'slack-drill',
    version: 1,
    title: 'Slack drill',
    match: 'alert.source == "generic"',
    roles: { 'approve-disclosure': ['legal'], respond: ['security-oncall'], 'incident-commander': ['commander'] },
    steps: [
      { id: 'approve-notice', approval: { role: 'approve-disclosure', draft: 'Tell {{config.contacts.security}} about {{incident.title}}', ...(escalateAfter && { timeout: escalateAfter, escalate: 'incident-commander' }) } },
      { id: 'personal-data', input: { ask: 'Is personal data involved?', type: 'boolean', role: 'respond' } },
      { id: 'wrap-up', action: 'noop', with: { note: 'done' } },
    ],
  });
}

export interface SlackHarness {
  fb: FirebreakUnderTest;
  slack: FakeSlack;
  sender: SlackSender;
  stopWorkerForTest(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  people?: Person[];
  escalateAfter?: string;
  /** A runbook from test/fixtures/runbooks/ to install instead of the drill. */
  runbookFixture?: string;
  temporalTimeoutMs?: number;
  address?: string;
  activities?: (real: Activities) => Activities;
  /** Socket Mode: an app token and no signing secret; `sender` pushes envelopes down the fake's WebSocket. */
  socketMode?: boolean;
  /** The `audit` config section. */
  audit?: Record<string, unknown>;
  /** More settings under `slack` (e.g. channel naming and privacy). */
  slack?: Record<string, unknown>;
}

/** Firebreak with Slack configured against a fresh fake Slack, and a sender of signed Slack requests. */
export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const slack = await FakeSlack.start();
  slack.usergroups.set(LEGAL_GROUP, [U.lena, U.liam]);
  const dataDir = tempDir('slack');
  const runbooks = path.join(dataDir, 'runbooks');
  mkdirSync(runbooks);
  if (options.runbookFixture) copyFileSync(path.join(__dirname, '..', 'fixtures', 'runbooks', options.runbookFixture), path.join(runbooks, options.runbookFixture));
  else writeFileSync(path.join(runbooks, 'slack-drill.yaml'), drillRunbook(options.escalateAfter));
  process.env.FB_TEST_SLACK_BOT = slack.botToken;
  process.env.FB_TEST_SLACK_SIGNING = SIGNING_SECRET;
  process.env.FB_TEST_SLACK_APP = slack.appToken;
  const people = options.people ?? [];
  const configFile = path.join(dataDir, 'slack.yaml');
  writeFileSync(
    configFile,
    toYaml({
      people: people.map((p) => ({ id: p.id, roles: p.roles, tokens: [`env:FB_TEST_TOKEN_${p.id.replace(/\W/g, '_').toUpperCase()}`] })),
      ...(options.audit && { audit: options.audit }),
      slack: {
        botToken: 'env:FB_TEST_SLACK_BOT',
        ...(options.socketMode ? { appToken: 'env:FB_TEST_SLACK_APP' } : { signingSecret: 'env:FB_TEST_SLACK_SIGNING' }),
        teamId: TEAM.id,
        appId: TEAM.appId,
        apiUrl: slack.apiUrl,
        roleCacheSeconds: 0,
        temporalTimeoutMs: options.temporalTimeoutMs ?? 10_000,
        temporalUiUrl: 'http://temporal-ui.test',
        roles: { legal: { userGroups: [LEGAL_GROUP] }, 'security-oncall': { users: [U.sam] }, commander: { users: [U.cole] } },
        people: { [U.sam]: 'sam' },
        ...options.slack,
      },
    }),
  );
  const fb = await FirebreakUnderTest.start({
    dataDir,
    people,
    address: options.address,
    activities: options.activities,
    env: { FIREBREAK_CONFIG: configFile, FIREBREAK_RUNBOOKS_DIR: runbooks },
  });
  const sender = options.socketMode ? new SocketSender(slack, TEAM) : new SlackSender(`${fb.baseUrl}/slack/events`, SIGNING_SECRET, TEAM);
  return {
    fb,
    slack,
    sender,
    stopWorkerForTest: () => fb.stopWorker(),
    async stop() {
      await fb.stop();
      await slack.stop();
    },
  };
}

export async function status(fb: FirebreakUnderTest, id: string): Promise<IncidentStatus> {
  return fb.client.workflow.getHandle(id).query<IncidentStatus>('statusQuery');
}

/** Opens an incident with a signed alert (requested by `source:generic`, so any legal member may approve). */
export async function alertIncident(h: SlackHarness, title: string): Promise<string> {
  const sent = await h.fb.sendAlert({ title, severity: 'high', labels: { run: title } });
  if (sent.status !== 202) throw new Error(`alert refused: ${sent.status} ${JSON.stringify(sent.body)}`);
  return (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
}

/** The Slack message standing for a key (status, step), once the sync has posted it. */
export function messageFor(h: SlackHarness, key: string, accept: (m: FakeMessage) => boolean = () => true): Promise<FakeMessage> {
  return eventually(async () => h.slack.messagesWithKey(key).find(accept), 30_000, `slack message ${key}`);
}

/** The value of a button on a posted message (what Slack sends back on a click). */
export function buttonValue(message: FakeMessage, actionId: string): string {
  const actions = (message.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions');
  const button = actions?.elements?.find((e) => e.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} button on the message`);
  return button.value;
}

/** A modal Firebreak opened, as the fake Slack recorded it. */
export type OpenedView = { id: string; callback_id: string; private_metadata: string };

/** Clicks a button on a Firebreak message and submits the reason modal the click opened, as one user would. */
export async function clickWithReason(h: SlackHarness, user: string, message: FakeMessage, actionId: string, reason: string) {
  const before = h.slack.views.length;
  const click = await h.sender.click(user, actionId, buttonValue(message, actionId), message.channel);
  const view = await eventually(async () => h.slack.views[before] as OpenedView | undefined, 10_000, 'reason modal');
  const submit = await h.sender.submit(user, view, { reason: { reason: { type: 'plain_text_input', value: reason } } });
  return { click, submit, view };
}

/** Clicks Approve/Reject on the approval message and submits the reason modal the click opened, as one user would. */
export function decide(h: SlackHarness, user: string, approval: FakeMessage, decision: 'approve' | 'reject', reason: string) {
  return clickWithReason(h, user, approval, decision === 'approve' ? ActionId.Approve : ActionId.Reject, reason);
}

export function ephemeralsFor(h: SlackHarness, user: string): string[] {
  return h.slack.ephemerals.filter((e) => e.user === user).map((e) => e.text);
}

/** The refusal code an ephemeral shows (`:warning: \`code\` …`), or `ok` for a confirmation. */
export function ephemeralCode(text: string): string {
  return /`([a-z_.]+)`/.exec(text)?.[1] ?? 'ok';
}

export { ViewId };

/** Declares through `/incident declare` and the modal, as `user`; resolves to the new incident id. */
export async function declareFromSlack(h: SlackHarness, user: string, title: string): Promise<string> {
  const responseUrl = h.slack.responseUrl();
  const before = h.slack.views.length;
  await h.sender.command(user, 'declare', { response_url: responseUrl });
  const view = await eventually(async () => h.slack.views[before] as { callback_id: string; private_metadata: string } | undefined, 10_000, 'declare modal');
  await h.sender.submit(user, view, {
    title: { title: { type: 'plain_text_input', value: title } },
    severity: { severity: { type: 'static_select', selected_option: { value: 'high' } } },
    runbook: { runbook: { type: 'static_select', selected_option: { value: 'slack-drill' } } },
    description: { description: { type: 'plain_text_input', value: null } },
  });
  const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
  const reply = await eventually(async () => h.slack.responses.find((r) => r.id === id), 20_000, 'declare reply');
  return /`(incident\/declared\/[0-9A-Z]+)`/.exec(String(reply.body.text))![1]!;
}
