import { z } from 'zod';

/*
 * What a runbook needs before it can run: alert labels its templates and conditions read, and config keys (contacts,
 * endpoints and their secrets, containment adapters, vendors). Declared in the runbook, checked against every
 * reference when it loads (validate/requirements.ts), against the running config at validate time and at start-up,
 * and against each alert when routing. A label still missing when an incident starts is asked of a person.
 */

/** Alert label names as sources and `declare --label` produce them. */
export const LabelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'label names are letters, digits and _');

/** A dotted config path such as `contacts.dpo`, `containment.identity`, `endpoints.edr.secrets.edr-api-token`. */
export const ConfigKey = z
  .string()
  .regex(/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)+$/, 'config keys are dotted paths, e.g. contacts.dpo or containment.identity');

/** The types a label question can take: a label's value is always text, so only text and a list of choices. */
export const LabelQuestionType = z.enum(['text', 'choice']);

/** As written: a name, or the name with the question a person is asked when an alert lacks it. */
export const AuthoringLabelRequirement = z.union([
  LabelName,
  z
    .strictObject({
      label: LabelName,
      ask: z.string().min(1).max(500).optional(),
      type: LabelQuestionType.optional(),
      choices: z.array(z.string().min(1)).min(2).optional(),
      /** Runbook role asked; default `respond` when the runbook has it, else `incident-commander`. */
      role: z.string().min(1).optional(),
      /**
       * `alert` (default): an alert without the label is not routed here (the next match or the default runbook takes
       * it). `ask`: the runbook takes it anyway and a person is asked. A declared incident is always asked.
       */
      missing: z.enum(['alert', 'ask']).optional(),
    })
    .superRefine((label, ctx) => {
      if ((label.type === 'choice') !== (label.choices !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['choices'], message: 'type: choice takes choices, and only it' });
      }
    }),
]);

export const AuthoringRequires = z.strictObject({
  labels: z.array(AuthoringLabelRequirement).optional(),
  config: z.array(ConfigKey).optional(),
});
export type AuthoringRequires = z.infer<typeof AuthoringRequires>;

/** One required label, normalised: always with the question that supplies it. */
export const LabelRequirement = z.object({
  label: LabelName,
  ask: z.string().min(1),
  type: LabelQuestionType,
  choices: z.array(z.string()).optional(),
  role: z.string().min(1),
  missing: z.enum(['alert', 'ask']),
});
export type LabelRequirement = z.infer<typeof LabelRequirement>;

export const Requires = z.object({
  labels: z.array(LabelRequirement),
  config: z.array(ConfigKey),
});
export type Requires = z.infer<typeof Requires>;

/** The normalised form of an authored `requires`, given the runbook's roles (for the default role asked). */
export function normaliseRequires(authored: AuthoringRequires, roles: readonly string[]): Requires {
  const fallbackRole = roles.includes('respond') ? 'respond' : 'incident-commander';
  return {
    labels: (authored.labels ?? []).map((entry) => {
      const spec = typeof entry === 'string' ? { label: entry } : entry;
      return {
        label: spec.label,
        ask: spec.ask ?? `The alert has no "${spec.label}" label: what is it?`,
        type: spec.type ?? 'text',
        ...(spec.choices && { choices: spec.choices }),
        role: spec.role ?? fallbackRole,
        missing: spec.missing ?? 'alert',
      };
    }),
    config: [...new Set(authored.config ?? [])],
  };
}

export { labelQuestionId } from './label-question';

/** Such an id, where a step id is accepted from outside (a `runbook test` script). */
export const LabelQuestionId = z.string().regex(/^labels\.[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a label question is labels.<name>');
