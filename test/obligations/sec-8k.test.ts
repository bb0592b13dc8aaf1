import assert from 'node:assert/strict';
import { computeStages } from '../../obligations/deadlines';
import { bundled, dueTable, obligation } from './helpers';

function due8k(determinedAt: string): string | undefined {
  return dueTable(computeStages(obligation('sec-8k-105'), { at: determinedAt }, { calendars: bundled().calendars }))['form-8k'];
}

// Each row: determination time, the 4 business days counted by hand, and the 17:30 New York
// cut-off on the last one in UTC (EDT = UTC-4 until 1 Nov 2026, EST = UTC-5 after).
describe('SEC Form 8-K Item 1.05 (4 business days, General Instruction B.1)', () => {
  it('determined on a Monday: due Friday at the 17:30 ET cut-off', () => {
    // Mon 2 Nov 2026 -> Tue 3, Wed 4, Thu 5, Fri 6 (EST).
    assert.equal(due8k('2026-11-02T11:00:00-05:00'), '2026-11-06T22:30:00.000Z');
  });

  it('determined on a Saturday: Monday is day 1, due Thursday', () => {
    // Sat 17 Oct 2026 -> Mon 19 (1), Tue 20, Wed 21, Thu 22 (EDT).
    assert.equal(due8k('2026-10-17T10:00:00-04:00'), '2026-10-22T21:30:00.000Z');
  });

  it('determined on a Saturday before Thanksgiving 2026: skips Thursday 26 Nov, due Friday', () => {
    // Sat 21 Nov -> Mon 23 (1), Tue 24 (2), Wed 25 (3), Thu 26 holiday, Fri 27 (4).
    assert.equal(due8k('2026-11-21T10:00:00-05:00'), '2026-11-27T22:30:00.000Z');
  });

  it('determined on a Friday evening after the cut-off: the Friday still counts as the event day', () => {
    // Fri 16 Oct 18:45 EDT -> Mon 19, Tue 20, Wed 21, Thu 22. The cut-off governs filings only.
    assert.equal(due8k('2026-10-16T18:45:00-04:00'), '2026-10-22T21:30:00.000Z');
  });

  it('determined on the Friday evening before Thanksgiving week', () => {
    // Fri 20 Nov 19:05 EST -> Mon 23, Tue 24, Wed 25, (Thu 26 holiday), Fri 27.
    assert.equal(due8k('2026-11-20T19:05:00-05:00'), '2026-11-27T22:30:00.000Z');
  });

  it('judges the determination date in New York, not UTC', () => {
    // Mon 19 Oct 21:00 EDT is Tue 01:00Z. Counting from Monday: Tue 20 .. Fri 23.
    assert.equal(due8k('2026-10-20T01:00:00Z'), '2026-10-23T21:30:00.000Z');
  });

  it('moves the cut-off with US daylight saving (spring-forward on 8 Mar 2026)', () => {
    // Fri 6 Mar (EST) -> Mon 9, Tue 10, Wed 11, Thu 12; 17:30 EDT is 21:30Z.
    assert.equal(due8k('2026-03-06T09:00:00-05:00'), '2026-03-12T21:30:00.000Z');
  });

  it('skips Christmas 2022 observed on Monday 26 Dec', () => {
    // Thu 22 Dec -> Fri 23 (1), Mon 26 holiday, Tue 27 (2), Wed 28 (3), Thu 29 (4).
    assert.equal(due8k('2022-12-22T10:00:00-05:00'), '2022-12-29T22:30:00.000Z');
  });

  it('skips the 9 Jan 2025 executive-order closure from the override list', () => {
    // Mon 6 Jan -> Tue 7 (1), Wed 8 (2), Thu 9 closed, Fri 10 (3), Mon 13 (4).
    assert.equal(due8k('2025-01-06T10:00:00-05:00'), '2025-01-13T22:30:00.000Z');
  });

  it('skips Independence Day observed on Friday 3 Jul 2026', () => {
    // Tue 30 Jun -> Wed 1 (1), Thu 2 (2), Fri 3 holiday, Mon 6 (3), Tue 7 (4).
    assert.equal(due8k('2026-06-30T10:00:00-04:00'), '2026-07-07T21:30:00.000Z');
  });

  it('explains skipped holidays in the reasoning', () => {
    const [filing] = computeStages(obligation('sec-8k-105'), { at: '2026-11-21T10:00:00-05:00' }, { calendars: bundled().calendars });
    assert.ok(filing?.reasoning.some((line) => line.includes('2026-11-26') && line.includes('Thanksgiving')));
  });
});
