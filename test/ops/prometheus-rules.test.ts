import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { registerClockMetrics } from '../../ingress/api/clock-metrics';
import { registerStepMetrics } from '../../ingress/api/step-metrics';
import { registerAuditMetrics } from '../../worker/audit-metrics';
import { createMetrics } from '../../worker/metrics';

const run = promisify(execFile);
const ops = path.resolve(__dirname, '..', '..', 'ops');
const rulesFile = path.join(ops, 'prometheus', 'firebreak-rules.yaml');
const dashboardFile = path.join(ops, 'grafana', 'firebreak-dashboard.json');

async function promtool(): Promise<string | undefined> {
  try {
    await run('promtool', ['--version']);
    return 'promtool';
  } catch {
    return undefined;
  }
}

/** Every metric name Firebreak's HTTP service exports (the same registries /metrics serves). */
function exportedNames(): Set<string> {
  const metrics = createMetrics();
  const incidents = registerClockMetrics(metrics.registry, { client: undefined as never, taskQueue: 'unused' });
  registerStepMetrics(metrics.registry, incidents.runningStatuses);
  registerAuditMetrics(metrics.registry, 'unused');
  return new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
}

function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bfirebreak_[a-z_]+/g)].map((m) => m[0]);
}

describe('Prometheus alert rules and the Grafana dashboard', function () {
  this.timeout(60_000);

  it('pass promtool check rules, and promtool test rules fires each alert on the series that should page', async function () {
    const tool = await promtool();
    if (!tool) {
      console.log('    skipped: no promtool (apt-get install prometheus)');
      this.skip();
    }
    const check = await run(tool!, ['check', 'rules', rulesFile]);
    assert.match(check.stdout, /SUCCESS: 10 rules found/);
    const unit = await run(tool!, ['test', 'rules', 'firebreak-rules.test.yaml'], { cwd: path.dirname(rulesFile) });
    assert.match(unit.stdout, /SUCCESS/);
  });

  it('name only metrics Firebreak exports', () => {
    const exported = exportedNames();
    const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const used = [...rules.map((r) => r.expr), ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))].flatMap(metricNames);
    assert.ok(used.length > 10);
    assert.deepEqual([...new Set(used)].filter((name) => !exported.has(name)), []);
  });
});
