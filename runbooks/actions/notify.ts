import { z } from 'zod';
import { defineAction, Text } from './define';

const Recipients = z.union([Text, z.array(Text).min(1)]);

export const notifyEmail = defineAction({
  name: 'notify.email',
  description: 'Send an email (SMTP, or an .eml file in the outbox when no SMTP server is configured).',
  input: z.strictObject({
    to: Recipients,
    cc: Recipients.optional(),
    subject: Text,
    body: Text,
    /** Named message template whose text replaces `body` when configured. */
    template: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
  }),
  disclosure: true,
});

export const notifySlack = defineAction({
  name: 'notify.slack',
  description: "Post a message to a Slack channel (the incident's channel when none is named).",
  input: z.strictObject({ channel: Text.optional(), text: Text }),
  disclosure: true,
});

export const notifyActions = [notifyEmail, notifySlack];
