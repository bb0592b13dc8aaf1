import { z } from 'zod';
import { defineAction, Text } from './define';

// `from` names what to capture (`alert`, `steps.preserve-alert.result`). Turning it into a whole-value
// template lets the workflow render it like any other input and keep its JSON type.
const Reference = z
  .string()
  .regex(/^(alert|answers|steps|incident)(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/, 'expected a reference like alert or steps.<id>')
  .transform((reference) => `{{${reference}}}`);
const WholeTemplate = z.string().regex(/^\{\{\s*[^{}]+\s*\}\}$/);

export const evidenceCapture = defineAction({
  name: 'evidence.capture',
  description: 'Store a value from the incident (the alert, an answer, a step result) as a hashed evidence file with chain of custody.',
  input: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'evidence names are plain file names like alert.json'),
    from: z.union([Reference, WholeTemplate]),
    mediaType: Text.optional(),
    note: Text.optional(),
  }),
  disclosure: false,
});

export const evidenceActions = [evidenceCapture];
