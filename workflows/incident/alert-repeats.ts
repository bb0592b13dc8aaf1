import { defineSignal, setHandler } from '@temporalio/workflow';
import { type IncidentState, recordAlert } from './state';

/** One delivery of a repeat, as the ingress received it: enough to count it once and keep the summary's times. */
export interface RepeatDelivery {
  deliveryId: string;
  receivedAt: string;
  occurredAt: string;
}

/** Firing repeats of the incident's fingerprint that one ingress replica collected over a short window, in arrival order. */
export interface AlertRepeats {
  source: string;
  deliveries: RepeatDelivery[];
}

/**
 * Repeats in bulk: the ingress sends one of these per incident per window instead of a signal per delivery, so a storm's
 * signal rate is bounded whatever the sender's rate, and a continue-as-new is not overtaken by signals again and again.
 */
export const alertRepeatsSignal = defineSignal<[AlertRepeats]>('alertRepeatsSignal');

/**
 * Counts each delivery as `alertSignal` would have (a delivery id already seen is skipped, so a sender's retry that
 * reaches the incident twice counts once) and tells `counted` how many deliveries the signal carried.
 */
export function handleAlertRepeats(state: IncidentState, counted: (deliveries: number) => void): void {
  setHandler(alertRepeatsSignal, ({ source, deliveries }) => {
    for (const delivery of deliveries) recordAlert(state, { source, status: 'firing', ...delivery }, true);
    counted(deliveries.length);
  });
}
