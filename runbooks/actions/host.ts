import { z } from 'zod';
import { defineAction, Text } from './define';

export const HostInput = z.strictObject({
  /** A hostname, or the EDR's own id for the host (CrowdStrike device id, Defender machine id, SentinelOne agent id). */
  host: Text,
  reason: Text.optional(),
  /** Defender for Endpoint only: `selective` keeps Outlook, Teams and Skype connected. Default `full`. */
  isolation: z.union([z.enum(['full', 'selective']), z.string().regex(/^\{\{[^{}]+\}\}$/)]).optional(),
});
export type HostInput = z.infer<typeof HostInput>;

export const hostIsolate = defineAction({
  name: 'host.isolate',
  description: 'Cut a host off the network through the EDR agent (it keeps talking to the EDR console).',
  input: HostInput,
  undo: 'host.release',
  disclosure: false,
});

export const hostRelease = defineAction({
  name: 'host.release',
  description: 'Reconnect an isolated host to the network.',
  input: HostInput,
  disclosure: false,
});

export const hostCollectPackage = defineAction({
  name: 'host.collect-package',
  description: "Collect the EDR's investigation package from a host (Defender for Endpoint) and keep it as evidence.",
  input: z.strictObject({ host: Text, reason: Text.optional() }),
  disclosure: false,
});

export const hostActions = [hostIsolate, hostRelease, hostCollectPackage];
