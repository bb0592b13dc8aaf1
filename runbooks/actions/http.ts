import { z } from 'zod';
import { ConfigName, defineAction } from './define';

export const httpRequest = defineAction({
  name: 'http.request',
  description: 'Call a configured HTTP endpoint (allowed hosts only) with a JSON body and an optional secret header.',
  input: z.strictObject({
    /** Name of an endpoint in configuration: runbooks never carry URLs, so they cannot reach arbitrary hosts. */
    endpoint: ConfigName,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z.string().startsWith('/').optional(),
    body: z.unknown().optional(),
    /** The header's value is a secret resolved by name in the activity, never written in the runbook. */
    secretHeader: z.strictObject({ name: z.string().regex(/^[A-Za-z0-9-]+$/), secret: ConfigName }).optional(),
  }),
  disclosure: false,
});

export const httpActions = [httpRequest];
