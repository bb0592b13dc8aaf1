import { z } from 'zod';

/**
 * One action a runbook step can run. `input` validates what an author writes in `with`, before
 * rendering: wherever a value comes from the incident, a template string is accepted. Parsing may
 * normalise (e.g. `from: alert` becomes `from: '{{alert}}'`); the loader keeps the parsed result.
 */
export interface ActionDefinition {
  name: string;
  description: string;
  input: z.ZodObject;
  /** The action that undoes this one; `compensate: true` on a step uses it. */
  undo?: string;
  /** Tells someone outside the response team: runbooks gate these behind an approval. */
  disclosure: boolean;
}

/** A string that contains at least one `{{...}}` reference, accepted wherever a literal of another type is expected. */
export const TemplateString = z.string().regex(/\{\{[^{}]+\}\}/, 'expected a {{template}} reference');

/** Free text that may contain templates. */
export const Text = z.string().min(1);

/** A name in configuration (endpoint, secret, contact): kebab-case or dotted, never a URL or a value. */
export const ConfigName = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, 'expected a configuration name like okta or contacts.security');

/** Duration like 30m or 24h, or a template that renders to one. */
export const DurationInput = z.union([z.string().regex(/^\d+(s|m|h|d)$/, 'durations look like 30m, 24h or 7d'), TemplateString]);

/**
 * What a step running a disclosure action gets unless its author says otherwise. A notice has to outlast a mail or chat
 * server outage (100 attempts at most 5 minutes apart: about 8 hours), and when it finally cannot go out a person
 * decides what happens (escalate): aborting would leave the duty unmet and undo the incident's containment.
 */
export const DISCLOSURE_STEP_DEFAULTS = {
  retry: { maximumAttempts: 100, initialInterval: '5s', maximumInterval: '5m' },
  onFailure: 'escalate',
} as const;

export function defineAction(definition: ActionDefinition): ActionDefinition {
  return definition;
}
