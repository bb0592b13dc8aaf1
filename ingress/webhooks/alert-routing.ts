import { ConditionEvaluationError, evaluateCondition, matchRunbook } from '../../runbooks/cel';
import type { Alert } from '../../runbooks/schema/alert';
import type { PinnedRunbook } from '../../runbooks/schema/runbook';
import type { Logger } from '../../shared/logger';
import type { RunbookCatalog } from '../runbook-catalog';
import type { RoutingConfig, RoutingRule } from './source-config';

/** How an alert found its runbook: a config rule, the runbook's own `match`, or the configured default. */
export type RouteVia = 'rule' | 'match' | 'default';

export interface RoutedAlert {
  /** The alert as it will start the incident (a rule may have set its severity). */
  alert: Alert;
  pinned: PinnedRunbook;
  via: RouteVia;
}

/**
 * Chooses the runbook for a normalised alert: the source's rules, then the global rules (first true `when` wins), then
 * the library's `match` rules, then `routing.defaultRunbook`. Undefined when none applies: the caller refuses the
 * alert rather than dropping it.
 */
export class AlertRouter {
  constructor(
    private readonly catalog: Pick<RunbookCatalog, 'runbooks'>,
    private readonly routing: RoutingConfig,
    private readonly log: Logger,
  ) {}

  async route(alert: Alert, sourceRules: readonly RoutingRule[] = []): Promise<RoutedAlert | undefined> {
    // One look per alert, so the rules, the `match` rules and the default all see the same library. The catalog
    // throttles how often that look touches the disk.
    const library = await this.catalog.runbooks();
    const byId = (id: string): PinnedRunbook | undefined => library.find((p) => p.runbook.id === id);
    for (const rule of [...sourceRules, ...this.routing.rules]) {
      if (!this.holds(rule, alert)) continue;
      const pinned = byId(rule.runbook);
      if (pinned) return { alert: rule.severity ? { ...alert, severity: rule.severity } : alert, pinned, via: 'rule' };
      // A rule naming a runbook that is not (or no longer) in the library must not swallow the alert.
      this.log.error({ source: alert.source, runbook: rule.runbook, code: 'routing.unknown_runbook' }, 'routing rule names a runbook that is not loaded');
    }
    const matched = matchRunbook(alert, library);
    if (matched) return { alert, pinned: matched, via: 'match' };
    if (this.routing.defaultRunbook) {
      const fallback = byId(this.routing.defaultRunbook);
      if (fallback) return { alert, pinned: fallback, via: 'default' };
      this.log.error({ runbook: this.routing.defaultRunbook, code: 'routing.unknown_runbook' }, 'default runbook is not loaded');
    }
    return undefined;
  }

  private holds(rule: RoutingRule, alert: Alert): boolean {
    try {
      return evaluateCondition(rule.when, { alert });
    } catch (error) {
      // Checked at load, so this is a rule reading a field this alert lacks; `has(...)` guards it.
      if (!(error instanceof ConditionEvaluationError)) throw error;
      this.log.warn({ source: alert.source, rule: rule.when, code: 'routing.rule_error' }, 'routing rule failed to evaluate; treated as false');
      return false;
    }
  }
}
