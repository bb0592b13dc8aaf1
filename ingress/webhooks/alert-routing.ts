import { ConditionEvaluationError, evaluateCondition, matchingRunbooks } from '../../runbooks/cel';
import { childRunbooks, describeUnmet, isMet, unmetRequirements } from '../../runbooks/requirements';
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
  /** Runbooks a rule or `match` chose first but passed over, each with why (a label the alert lacks, unset config). */
  passedOver?: { runbook: string; reason: string }[];
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
    /** The running config as parsed: runbooks whose `requires.config` it does not meet are passed over. */
    private readonly config?: unknown,
  ) {}

  async route(alert: Alert, sourceRules: readonly RoutingRule[] = []): Promise<RoutedAlert | undefined> {
    // One look per alert, so the rules, the `match` rules and the default all see the same library. The catalog
    // throttles how often that look touches the disk.
    const library = await this.catalog.runbooks();
    const byId = (id: string): PinnedRunbook | undefined => library.find((p) => p.runbook.id === id);
    const passedOver: { runbook: string; reason: string }[] = [];
    // A runbook whose requirements this alert (or the config) cannot meet would fail or strand at its first step.
    const meets = (pinned: PinnedRunbook): boolean => {
      const unmet = unmetRequirements(pinned.runbook, alert, this.config, childRunbooks(pinned.runbook, library.map((p) => p.runbook)));
      if (isMet(unmet)) return true;
      passedOver.push({ runbook: pinned.runbook.id, reason: describeUnmet(pinned.runbook.id, unmet) });
      return false;
    };
    const routed = (pinned: PinnedRunbook, via: RouteVia, routedAlert = alert): RoutedAlert => ({ alert: routedAlert, pinned, via, ...(passedOver.length > 0 && { passedOver }) });
    for (const rule of [...sourceRules, ...this.routing.rules]) {
      if (!this.holds(rule, alert)) continue;
      const pinned = byId(rule.runbook);
      if (pinned && meets(pinned)) return routed(pinned, 'rule', rule.severity ? { ...alert, severity: rule.severity } : alert);
      // A rule naming a runbook that is not (or no longer) in the library must not swallow the alert.
      if (!pinned) this.log.error({ source: alert.source, runbook: rule.runbook, code: 'routing.unknown_runbook' }, 'routing rule names a runbook that is not loaded');
    }
    const matched = matchingRunbooks(alert, library).find(meets);
    if (matched) return routed(matched, 'match');
    if (this.routing.defaultRunbook) {
      // The last resort is taken even when it lacks something: refusing would only make the sender retry in vain.
      const fallback = byId(this.routing.defaultRunbook);
      if (fallback) return routed(fallback, 'default');
      this.log.error({ runbook: this.routing.defaultRunbook, code: 'routing.unknown_runbook' }, 'default runbook is not loaded');
    }
    if (passedOver.length > 0) this.log.warn({ source: alert.source, passedOver, code: 'routing.requirements_unmet' }, 'alert matched runbooks whose requirements it cannot meet');
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
