import type { SourceIssue } from '../shared/source-issue';

/**
 * Stable issue codes for catalogue validation. Released codes never change spelling; tests pin them.
 * - `yaml.syntax`: the file is not well-formed YAML.
 * - `schema.invalid`: a value does not match the zod schema.
 * - `obligation.duplicate_id`: two obligations share an id.
 * - `obligation.unverified_enabled`: an obligation marked `verified: false` is enabled.
 * - `stage.duplicate_id`: two stages of one obligation share an id.
 * - `stage.unknown_ref`: a `prior-submission` start names no stage of the obligation.
 * - `stage.chain_order`: a `prior-submission` start names itself or a later stage.
 * - `calendar.unknown_ref`: a clock or relief names a calendar the catalogue does not define.
 * - `calendar.unknown_country`: `date-holidays` has no calendar for the country or region.
 */
export const OBLIGATION_ISSUE_CODES = [
  'yaml.syntax',
  'schema.invalid',
  'obligation.duplicate_id',
  'obligation.unverified_enabled',
  'stage.duplicate_id',
  'stage.unknown_ref',
  'stage.chain_order',
  'calendar.unknown_ref',
  'calendar.unknown_country',
] as const;
export type ObligationIssueCode = (typeof OBLIGATION_ISSUE_CODES)[number];

export type ObligationIssue = SourceIssue<ObligationIssueCode>;

/** Thrown by `loadCatalogueFile` when the catalogue has at least one issue; carries all of them. */
export class CatalogueValidationError extends Error {
  readonly code = 'catalogue.invalid';
  constructor(
    readonly file: string,
    readonly issues: readonly ObligationIssue[],
  ) {
    super(`${file}: ${issues.length} problem(s) in obligations catalogue`);
  }
}
