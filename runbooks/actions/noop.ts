import { z } from 'zod';
import { defineAction, Text } from './define';

export const noop = defineAction({
  name: 'noop',
  description: 'Does nothing; for tests, benchmarks and placeholders in a runbook being written.',
  input: z.strictObject({ note: Text.optional() }),
  disclosure: false,
});

export const noopActions = [noop];
