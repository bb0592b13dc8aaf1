/*
 * Kept apart from requires.ts, which builds zod schemas: workflow code imports this, and every module the workflow
 * bundle holds is evaluated again for each workflow the worker creates (zod alone was 67 modules, ~1 MB of a cached
 * workflow's memory and most of its creation time).
 */

/** The id of the question that asks for a missing label: dotted, so it can never clash with a (kebab-case) step id. */
export const labelQuestionId = (label: string): string => `labels.${label}`;
