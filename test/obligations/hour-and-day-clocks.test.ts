import assert from 'node:assert/strict';
import { computeStages, DeadlineInputError } from '../../obligations/deadlines';
import { bundled, dueTable, obligation, stage } from './helpers';

const calendars = () => bundled().calendars;

describe('hour clocks', () => {
  it('gives GDPR Art 33 exactly 72 h after awareness, through a weekend', () => {
    // Friday 17:30 in Paris (15:30Z) + 72 h = Monday 15:30Z.
    const result = computeStages(obligation('gdpr-art33-sa'), { at: '2026-06-05T17:30:00+02:00' }, { calendars: calendars() });
    assert.deepEqual(dueTable(result), { notification: '2026-06-08T15:30:00.000Z' });
  });

  it('counts 72 h in UTC across the EU spring-forward (29 Mar 2026), so local time shifts by an hour', () => {
    // 27 Mar 10:00 CET = 09:00Z; +72 h = 30 Mar 09:00Z, which is 11:00 CEST, not 10:00.
    const result = computeStages(obligation('gdpr-art33-sa'), { at: '2026-03-27T10:00:00+01:00' }, { calendars: calendars() });
    assert.equal(dueTable(result).notification, '2026-03-30T09:00:00.000Z');
  });

  it('counts 72 h in UTC across the US spring-forward (8 Mar 2026)', () => {
    // Fri 6 Mar 12:00 EST = 17:00Z; +72 h = Mon 9 Mar 17:00Z (13:00 EDT).
    const result = computeStages(obligation('nydfs-50017a'), { at: '2026-03-06T12:00:00-05:00' }, { calendars: calendars() });
    assert.equal(dueTable(result).notice, '2026-03-09T17:00:00.000Z');
  });

  it('counts 72 h in UTC across the US fall-back (1 Nov 2026)', () => {
    // Sat 31 Oct 12:00 EDT = 16:00Z; +72 h = Tue 3 Nov 16:00Z (11:00 EST).
    const result = computeStages(obligation('nydfs-50017a'), { at: '2026-10-31T12:00:00-04:00' }, { calendars: calendars() });
    assert.equal(dueTable(result).notice, '2026-11-03T16:00:00.000Z');
  });

  it('rejects a trigger time without an offset', () => {
    assert.throws(
      () => computeStages(obligation('gdpr-art33-sa'), { at: '2026-06-05T17:30:00' }, { calendars: calendars() }),
      (error: unknown) => error instanceof DeadlineInputError && error.code === 'deadline.invalid_input',
    );
  });
});

describe('calendar-day clocks', () => {
  it('ends HIPAA individual notice at the end of day 60 in the zone, across the US fall-back', () => {
    // Discovery 15 Sep (EDT). Day 15 = 30 Sep, day 46 = 31 Oct, day 60 = 14 Nov (EST, UTC-5).
    const result = computeStages(obligation('hipaa-individuals'), { at: '2026-09-15T10:00:00-04:00' }, { calendars: calendars() });
    assert.equal(dueTable(result)['individual-notice'], '2026-11-15T04:59:59.999Z');
  });

  it('judges the anchor day in the clock zone, not in UTC', () => {
    // 20:30 PDT on 1 Jun is already 2 Jun in UTC; Washington counts from 1 Jun: day 30 = 1 Jul (PDT, UTC-7).
    const result = computeStages(obligation('us-wa'), { at: '2026-06-01T20:30:00-07:00' }, { calendars: calendars() });
    assert.equal(dueTable(result).residents, '2026-07-02T06:59:59.999Z');
  });

  it('counts Singapore PDPC days from the day after the assessment', () => {
    // Assessed 30 Dec 2026 in Singapore (UTC+8): days 31 Dec, 1 Jan, 2 Jan -> end of 2 Jan 2027.
    const result = computeStages(obligation('sg-pdpa'), { at: '2026-12-30T09:00:00+08:00' }, { calendars: calendars(), facts: { notifiable: true } });
    assert.equal(dueTable(result)['pdpc-notice'], '2027-01-02T15:59:59.999Z');
  });
});

describe('open duties', () => {
  it('shows "without undue delay" as an open clock whose due time is the internal target', () => {
    const [notice] = computeStages(obligation('gdpr-art33-processor'), { at: '2026-04-01T08:00:00Z' }, { calendars: calendars() });
    assert.equal(notice?.kind, 'open');
    assert.equal(notice?.kind === 'open' && notice.dueAt, '2026-04-02T08:00:00.000Z');
  });

  it('leaves a stage pending while the anchor it needs is not recorded', () => {
    const result = computeStages(obligation('au-ndb'), { at: '2026-04-01T08:00:00+10:00' }, { calendars: calendars() });
    assert.equal(stage(result, 'oaic-statement').kind, 'pending');
    // Assessment: 1 Apr not counted, day 30 = 1 May, end of day AEST (UTC+10).
    assert.equal(dueTable(result).assessment, '2026-05-01T13:59:59.999Z');
  });

  it('starts a pending stage once its anchor is supplied', () => {
    const result = computeStages(
      obligation('au-ndb'),
      { at: '2026-04-01T08:00:00+10:00', anchors: { determination: '2026-04-10T09:00:00+10:00' } },
      { calendars: calendars() },
    );
    assert.equal(dueTable(result)['oaic-statement'], '2026-04-12T23:00:00.000Z');
  });
});

describe('in-force dates', () => {
  it('does not apply the CRA before 11 Sep 2026 and does after', () => {
    const before = computeStages(obligation('cra-art14'), { at: '2026-09-10T12:00:00+02:00' }, { calendars: calendars() });
    assert.ok(before.every((d) => d.kind === 'not-applicable'));
    const after = computeStages(obligation('cra-art14'), { at: '2026-09-11T12:00:00+02:00' }, { calendars: calendars() });
    assert.equal(dueTable(after)['early-warning'], '2026-09-12T10:00:00.000Z');
  });
});
