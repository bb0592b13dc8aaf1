import { z } from 'zod';
import { defineAction, TemplateString, Text } from './define';

const Recipients = z.union([Text, z.array(Text).min(1)]);
const NoticeName = z.string().regex(/^[a-z0-9][a-z0-9-]*\.(regulator|individuals|customers|public)$/, 'expected <obligation>.<audience>, e.g. gdpr-art33-sa.regulator');
const Attachments = z.union([TemplateString, z.array(Text).min(1)]);

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
    /** The notice template the text was copied from (`<obligation>.<audience>`), named when an attachment is missing. */
    notice: NoticeName.optional(),
    /** Evidence names to attach, or `{{steps.<approval>.attachments}}`: exactly the files that approval was given for. */
    attachments: Attachments.optional(),
  }),
  disclosure: true,
});

export const notifyEmailBatch = defineAction({
  name: 'notify.email-batch',
  description: 'Send one notice per person on an affected-recipients list (CSV or JSON), in rate-limited batches, exactly once each.',
  input: z.strictObject({
    /** `evidence:<sha256>`, `evidence:<evidence id>` or `file:<name>`; usually `{{steps.<capture-step>.sha256}}` behind `evidence:`. */
    recipients: Text,
    subject: Text,
    /** `{{...}}` is the incident's; `[[name]]`, `[[email]]`, `[[<column>]]` are filled per recipient. */
    body: Text,
    notice: NoticeName.optional(),
    /** Attached to every recipient's notice; see notify.email. */
    attachments: Attachments.optional(),
    perMinute: z.union([z.number().int().min(1), TemplateString]).optional(),
    batchSize: z.union([z.number().int().min(1).max(1000), TemplateString]).optional(),
  }),
  disclosure: true,
});

export const notifySlack = defineAction({
  name: 'notify.slack',
  description: "Post a message to a Slack channel (the incident's channel when none is named).",
  input: z.strictObject({ channel: Text.optional(), text: Text }),
  disclosure: true,
});

export const notifyActions = [notifyEmail, notifyEmailBatch, notifySlack];
