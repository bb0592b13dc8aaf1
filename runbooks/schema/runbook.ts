import { z } from 'zod';
import { Requires } from './requires';
import { Step } from './step';

export const RunbookId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'runbook ids are kebab-case').max(64);

/** Runbook role name → the organisation roles (from config) whose holders may act in it. */
export const RoleMap = z.record(z.string(), z.array(z.string().min(1)).min(1));
export type RoleMap = z.infer<typeof RoleMap>;

/** A validated runbook in its normalised form: what the loader produces and a workflow interprets. */
export const Runbook = z.object({
  id: RunbookId,
  version: z.number().int().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  /** CEL over `alert`; absent means the runbook is only started by name. */
  match: z.string().optional(),
  /** Higher wins when several runbooks match one alert. */
  priority: z.number().int().default(0),
  roles: RoleMap.default({}),
  /** Alert labels and config keys it needs; absent on runbooks that declare none (nothing is then checked). */
  requires: Requires.optional(),
  steps: z.array(Step).min(1),
});
export type Runbook = z.infer<typeof Runbook>;

/**
 * What an incident is pinned to: the validated runbook plus the identity of the exact text it came from.
 * Editing or deleting the file later never changes an incident that started with it.
 */
export const PinnedRunbook = z.object({
  runbook: Runbook,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  file: z.string(),
});
export type PinnedRunbook = z.infer<typeof PinnedRunbook>;
