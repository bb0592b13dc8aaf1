import { ApplicationFailure } from '@temporalio/activity';
import { createCalendars, type CalendarSet } from '../../obligations/calendars/business-calendar';
import { DeadlineInputError, computeStages, parseInstant, recomputeFrom, type StageDeadline } from '../../obligations/deadlines';
import { loadCatalogueFile } from '../../obligations/load';
import type { Catalogue, Obligation } from '../../obligations/schema';
import { FailureType } from '../../workflows/failure-types';
import type { ComputeAllDeadlines, ComputeDeadlines, ComputeDeadlinesRequest, ComputeDeadlinesResult, ComputedStage } from '../../workflows/deadline-clocks/types';

export interface DeadlineDeps {
  /** Default: the bundled catalogue. Loaded once, on first use, by each worker process. */
  catalogueFile?: string;
}

interface LoadedCatalogue {
  catalogue: Catalogue;
  calendars: CalendarSet;
}

/**
 * Facts reach the workflow as answers, which are text unless the input was typed: `"612"` and `"true"` are read as
 * the number and the boolean the catalogue's conditions compare against.
 */
export function factsFromAnswers(facts: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(facts)) {
    if (typeof value !== 'string') out[name] = value;
    else if (value === 'true' || value === 'false') out[name] = value === 'true';
    else if (value.trim() !== '' && Number.isFinite(Number(value))) out[name] = Number(value);
    else out[name] = value;
  }
  return out;
}

function refuse(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Where a stage's time starts running, for percentage reminders. */
function startOf(obligation: Obligation, stage: StageDeadline, request: ComputeDeadlinesRequest, all: readonly StageDeadline[]): { startsAt?: string; chainsFrom?: string } {
  const definition = obligation.stages.find((s) => s.id === stage.stageId)!;
  const start = definition.start ?? { anchor: obligation.trigger, from: 'anchor' as const };
  if (start.anchor === 'prior-submission') {
    const submitted = request.submissions?.[start.stage] ?? (request.submitted?.stageId === start.stage ? request.submitted.at : undefined);
    const prior = all.find((s) => s.stageId === start.stage);
    const projectedFrom = prior && (prior.kind === 'deadline' || prior.kind === 'open') ? prior.dueAt : undefined;
    return { startsAt: submitted ? parseInstant(submitted).toUTC().toISO()! : projectedFrom, chainsFrom: start.stage };
  }
  if (start.from === 'year-end') return {};
  const anchorAt = start.anchor === obligation.trigger ? request.at : request.anchors?.[start.anchor];
  return { startsAt: anchorAt ? parseInstant(anchorAt).toUTC().toISO()! : undefined };
}

function toComputed(obligation: Obligation, request: ComputeDeadlinesRequest, stages: readonly StageDeadline[], context: readonly StageDeadline[]): ComputedStage[] {
  return stages.map((stage) => {
    const base = { stageId: stage.stageId, title: stage.title, kind: stage.kind, reasoning: stage.reasoning, ...startOf(obligation, stage, request, context) };
    if (stage.kind === 'deadline') return { ...base, dueAt: stage.dueAt, strictDueAt: stage.strictDueAt, projected: stage.projected };
    if (stage.kind === 'open') return { ...base, dueAt: stage.dueAt, projected: stage.projected };
    return { ...base, projected: false };
  });
}

/**
 * `deadlines.compute`: every stage's due time for one obligation from the stated trigger time (`computeStages`), or,
 * with `submitted`, the stages chained from that actual submission (`recomputeFrom`). Pure arithmetic over the
 * catalogue: retrying is harmless. Refuses unknown or disabled obligations and bad times with non-retryable types.
 */
export function createComputeDeadlines(deps: DeadlineDeps = {}) {
  let loaded: LoadedCatalogue | undefined;
  const catalogue = (): LoadedCatalogue => {
    if (!loaded) {
      const file = loadCatalogueFile(deps.catalogueFile);
      loaded = { catalogue: file, calendars: createCalendars(file.calendars) };
    }
    return loaded;
  };
  return async function computeDeadlines(request: ComputeDeadlinesRequest): Promise<ComputeDeadlinesResult> {
    const { catalogue: cat, calendars } = catalogue();
    const obligation = cat.obligations.find((o) => o.id === request.obligationId);
    if (!obligation) refuse(FailureType.DeadlineUnknownObligation, `"${request.obligationId}" is not in the obligations catalogue`);
    if (!obligation.enabled) refuse(FailureType.DeadlineObligationDisabled, `"${obligation.id}" is disabled in the catalogue`);
    const opts = { calendars, facts: factsFromAnswers(request.facts), submissions: request.submissions };
    try {
      const trigger = { at: request.at, anchors: request.anchors };
      const all = computeStages(obligation, trigger, opts);
      const stages = request.submitted ? recomputeFrom(obligation, request.submitted.stageId, request.submitted.at, opts) : all;
      const context = request.submitted ? computeStages(obligation, trigger, { ...opts, submissions: { ...opts.submissions, [request.submitted.stageId]: request.submitted.at } }) : all;
      return { obligationId: obligation.id, title: obligation.title, recipient: obligation.recipient, zone: obligation.zone, stages: toComputed(obligation, request, stages, context) };
    } catch (error) {
      if (error instanceof DeadlineInputError) refuse(FailureType.DeadlineInvalidInput, error.message);
      throw error;
    }
  };
}

/**
 * `deadlines.compute-all`: `deadlines.compute` for each request, in one call (a step starting three clocks asks once).
 * A refusal is answered, not thrown, so the clocks before it still start, as when each was asked alone; anything else
 * thrown fails the call and it is retried whole (the arithmetic is pure).
 */
export function createComputeAllDeadlines(computeOne: ComputeDeadlines): ComputeAllDeadlines {
  return async ({ requests }) => {
    const computed: ComputeDeadlinesResult[] = [];
    for (const request of requests) {
      try {
        computed.push(await computeOne(request));
      } catch (error) {
        if (!(error instanceof ApplicationFailure && error.nonRetryable)) throw error;
        return { computed, refused: { obligationId: request.obligationId, type: error.type ?? FailureType.DeadlineInvalidInput, message: error.message } };
      }
    }
    return { computed };
  };
}

/** Both deadline activities, sharing one loaded catalogue. */
export function createDeadlineActivities(deps: DeadlineDeps = {}): { 'deadlines.compute': ComputeDeadlines; 'deadlines.compute-all': ComputeAllDeadlines } {
  const computeOne = createComputeDeadlines(deps);
  return { 'deadlines.compute': computeOne, 'deadlines.compute-all': createComputeAllDeadlines(computeOne) };
}
