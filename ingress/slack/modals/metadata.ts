import { z } from 'zod';

/** What a modal carries from the click that opened it to its submission (Slack returns it untouched). */
export const ModalContext = z.object({
  incidentId: z.string().min(1).optional(),
  stepId: z.string().min(1).optional(),
  decision: z.enum(['approve', 'reject']).optional(),
  /** A blocked step: what the clicked button chose. */
  choice: z.enum(['retry', 'continue', 'abort']).optional(),
  clockId: z.string().min(1).optional(),
  draftSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  inputType: z.string().optional(),
  channel: z.string().optional(),
  responseUrl: z.string().url().optional(),
});
export type ModalContext = z.infer<typeof ModalContext>;

export const encodeModalContext = (context: ModalContext): string => JSON.stringify(context);

/** Undefined when the metadata is not ours (a modal from another app version, or tampering). */
export function decodeModalContext(text: string | undefined): ModalContext | undefined {
  try {
    const parsed = ModalContext.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
