import { decideUpdate } from '../workflows/incident/definitions';
import { startTemporal } from '../test/helpers/temporal';
import { type SlackHarness, U, alertIncident, buttonValue, decide, ephemeralsFor, messageFor, startSlackHarness } from '../test/slack/support';
import { TcpProxy } from '../test/slack/tcp-proxy';
import { ActionId } from '../slack/action-ids';
import { percentile } from './latency';

export interface SlackBenchOptions {
  /** Approvals timed through Slack, and as bare Updates (default 20 each). */
  rounds?: number;
  /** Latency the proxy adds to every chunk between Firebreak and Temporal for the slowed-ack run (default 250 ms). */
  slowTemporalMs?: number;
}

export interface SlackBenchResult {
  rounds: number;
  /**
   * Signed view submission sent → ack → Update (validator, handler) accepted → the approver's "Recorded" confirmation
   * posted on the fake Slack: what the person waits for, and the same decision the bare Update makes.
   */
  slackApprovalRoundTrip: { p50Ms: number; p99Ms: number };
  /** Submission sent → the pinned status message edited to show the next step: the workflow moves on and re-renders. */
  statusMessageEdited: { p50Ms: number; p99Ms: number };
  /** The same decision as a bare `executeUpdate` from a Temporal client, same server, same run. */
  bareUpdateRoundTrip: { p50Ms: number; p99Ms: number };
  /** HTTP answer time of signed submissions while every Temporal round trip is slowed by `slowTemporalMs`. */
  ackWithTemporalSlowed: { slowTemporalMs: number; p99Ms: number; maxMs: number };
}

const figures = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: Math.round(percentile(sorted, 50) * 10) / 10, p99Ms: Math.round(percentile(sorted, 99) * 10) / 10 };
};

/** Polls every 2 ms (the shared test helper polls every 150 ms, too coarse to time with). */
async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the status message edit');
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function waitingIncident(h: SlackHarness, label: string): Promise<{ id: string; approval: Awaited<ReturnType<typeof messageFor>> }> {
  const id = await alertIncident(h, label);
  return { id, approval: await messageFor(h, `${id}/step/approve-notice`) };
}

/** Slack approval round trips against bare Temporal Updates, and ack latency with Temporal slowed; prints nothing. */
export async function benchSlack(opts: SlackBenchOptions = {}): Promise<SlackBenchResult> {
  const rounds = opts.rounds ?? 20;
  const slowTemporalMs = opts.slowTemporalMs ?? 250;
  const temporal = await startTemporal();
  const [host, port] = temporal.address.split(':');
  const proxy = new TcpProxy({ host: host!, port: Number(port) });
  const h = await startSlackHarness({ address: await proxy.start() });
  try {
    const slack: number[] = [];
    const edited: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const { id, approval } = await waitingIncident(h, `bench slack ${i}`);
      const statusMessage = await messageFor(h, `${id}/status`);
      const before = h.slack.views.length;
      await h.sender.click(U.lena, ActionId.Approve, buttonValue(approval, ActionId.Approve), approval.channel);
      await until(() => h.slack.views.length > before);
      const view = h.slack.views[before] as { callback_id: string; private_metadata: string };
      const confirmations = ephemeralsFor(h, U.lena).length;
      const started = performance.now();
      await h.sender.submit(U.lena, view, { reason: { reason: { type: 'plain_text_input', value: 'bench' } } });
      await until(() => ephemeralsFor(h, U.lena).slice(confirmations).some((text) => text.startsWith('Recorded:')));
      slack.push(performance.now() - started);
      await until(() => JSON.stringify(statusMessage.blocks).includes('*personal-data* (input)'));
      edited.push(performance.now() - started);
    }
    const bare: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const { id, approval } = await waitingIncident(h, `bench bare ${i}`);
      const draftSha256 = (JSON.parse(buttonValue(approval, ActionId.Approve)) as { draftSha256?: string }).draftSha256;
      const started = performance.now();
      await h.fb.client.workflow.getHandle(id).executeUpdate(decideUpdate, {
        updateId: `approve-notice/bench/approve`,
        args: [{ stepId: 'approve-notice', decision: 'approve', reason: 'bench', actor: { kind: 'person', id: 'bench', roles: ['legal'] }, at: new Date().toISOString(), draftSha256 }],
      });
      bare.push(performance.now() - started);
    }
    const { approval } = await waitingIncident(h, 'bench slowed');
    proxy.delayMs = slowTemporalMs;
    const acks: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const { click, submit } = await decide(h, U.olga, approval, 'approve', `slowed ${i}`);
      acks.push(click.ms, submit.ms);
    }
    proxy.delayMs = 0;
    return {
      rounds,
      slackApprovalRoundTrip: figures(slack),
      statusMessageEdited: figures(edited),
      bareUpdateRoundTrip: figures(bare),
      ackWithTemporalSlowed: { slowTemporalMs, p99Ms: figures(acks).p99Ms, maxMs: Math.round(Math.max(...acks)) },
    };
  } finally {
    await h.stop();
    await temporal.stop();
  }
}
