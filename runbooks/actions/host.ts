import { z } from 'zod';
import { defineAction, Text } from './define';

const HostInput = z.strictObject({ host: Text, reason: Text.optional() });

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

export const hostActions = [hostIsolate, hostRelease];
