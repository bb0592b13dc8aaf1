import { z } from 'zod';
import type { NormaliseContext, NormaliseResult, SourceKind } from '../source-kind';
import { issuesFromZod } from './alert-fields';
import { alertsFromGroup, groupedDeliveryId, GroupedNotification } from './grouped-notification';
import { authenticateCredentials, hasCredentials, HttpCredentials } from './http-credentials';

/**
 * Config for an Alertmanager receiver. Alertmanager cannot sign, so it must send `http_config.authorization`
 * (bearer) or `http_config.basic_auth`; at least one of the two must be configured here.
 */
export const AlertmanagerAuth = HttpCredentials.refine(hasCredentials, {
  message: 'configure bearerTokens or basicAuth: Alertmanager does not sign its webhooks',
});
export type AlertmanagerAuth = z.infer<typeof AlertmanagerAuth>;

/** Alertmanager webhook payload version 4. */
export const AlertmanagerBody = GroupedNotification.extend({ version: z.literal('4') });

function normalise(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const parsed = AlertmanagerBody.safeParse(body);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
  return alertsFromGroup(parsed.data, body, ctx, {
    fallbackTitle: 'Alertmanager alert',
    link: (a) => a.generatorURL,
  });
}

/**
 * `alertmanager`: Prometheus Alertmanager's webhook receiver. One Alert per element of `alerts[]`, fingerprinted by
 * Alertmanager's own per-alert fingerprint (a hash of the label set) without a groupKey prefix, so the same alert
 * routed through two receivers or regrouped joins the same incident. Delivery ids are derived: see
 * {@link groupedDeliveryId}.
 */
export const alertmanager: SourceKind<AlertmanagerAuth> = {
  kind: 'alertmanager',
  authSchema: AlertmanagerAuth,
  authenticate: authenticateCredentials,
  deliveryId: groupedDeliveryId,
  normalise,
};
