import assert from 'node:assert/strict';
import { computeStages, DeadlineInputError, recomputeFrom } from '../../obligations/deadlines';
import { bundled, dueTable, obligation, stage } from './helpers';

const calendars = () => bundled().calendars;

describe('NIS2 Art 23 staged reporting', () => {
  const awareness = '2026-03-02T08:00:00Z';

  it('projects early warning 24 h, notification 72 h and final report 1 month after the notification deadline', () => {
    const result = computeStages(obligation('nis2-art23'), { at: awareness }, { calendars: calendars() });
    // Notification due 5 Mar 08:00Z (09:00 CET); 1 month on = 5 Apr, ending 23:59:59.999 CEST (UTC+2).
    assert.deepEqual(dueTable(result), {
      'early-warning': '2026-03-03T08:00:00.000Z',
      notification: '2026-03-05T08:00:00.000Z',
      'final-report': '2026-04-05T21:59:59.999Z',
    });
    const final = stage(result, 'final-report');
    assert.equal(final.kind === 'deadline' && final.projected, true);
  });

  it('shifts the final report when the notification is submitted late', () => {
    // Submitted 6 Mar 15:00Z (16:00 CET), a day late: final due at the end of 6 Apr (CEST).
    const [final, ...rest] = recomputeFrom(obligation('nis2-art23'), 'notification', '2026-03-06T15:00:00Z', { calendars: calendars() });
    assert.equal(rest.length, 0, 'only stages chained from the notification are recomputed');
    assert.equal(final?.stageId, 'final-report');
    assert.equal(final?.kind === 'deadline' && final.dueAt, '2026-04-06T21:59:59.999Z');
    assert.equal(final?.kind === 'deadline' && final.projected, false);
  });

  it('gives the same answer through computeStages with recorded submissions', () => {
    const result = computeStages(obligation('nis2-art23'), { at: awareness }, { calendars: calendars(), submissions: { notification: '2026-03-06T15:00:00Z' } });
    assert.equal(dueTable(result)['final-report'], '2026-04-06T21:59:59.999Z');
    // Earlier stages keep counting from awareness.
    assert.equal(dueTable(result).notification, '2026-03-05T08:00:00.000Z');
  });

  it('clamps "1 month" to the last day of a shorter month', () => {
    // Notification submitted 31 Jan 10:00Z -> 28 Feb 2026, end of day CET (UTC+1).
    const [final] = recomputeFrom(obligation('nis2-art23'), 'notification', '2026-01-31T10:00:00Z', { calendars: calendars() });
    assert.equal(final?.kind === 'deadline' && final.dueAt, '2026-02-28T22:59:59.999Z');
  });

  it('refuses to recompute from a stage the obligation does not have', () => {
    assert.throws(() => recomputeFrom(obligation('nis2-art23'), 'progress-report', '2026-03-06T15:00:00Z', { calendars: calendars() }), DeadlineInputError);
  });
});

describe('DORA Art 19 staged reporting', () => {
  const eligible = { memberState: 'DE', entityType: 'payment-institution', nis2Designated: false };
  const dora = () => obligation('dora-art19');

  it('moves a deadline that lands on a Saturday to noon on Monday (RTS Art 5(4))', () => {
    // Classified Fri 10 Jul 22:00 CEST (20:00Z); +4 h = Sat 11 Jul 00:00Z (02:00 Berlin).
    // Relief: Mon 13 Jul 12:00 CEST = 10:00Z. Awareness cap (11 Jul 09:00Z) is later, so not binding.
    const result = computeStages(dora(), { at: '2026-07-10T22:00:00+02:00', anchors: { awareness: '2026-07-10T09:00:00Z' } }, { calendars: calendars(), facts: eligible });
    const initial = stage(result, 'initial');
    assert.equal(initial.kind, 'deadline');
    assert.equal(initial.kind === 'deadline' && initial.dueAt, '2026-07-13T10:00:00.000Z');
    assert.equal(initial.kind === 'deadline' && initial.strictDueAt, '2026-07-11T00:00:00.000Z');
  });

  it('gives no relief to a credit institution (RTS Art 5(5))', () => {
    const result = computeStages(dora(), { at: '2026-07-10T22:00:00+02:00', anchors: { awareness: '2026-07-10T09:00:00Z' } }, {
      calendars: calendars(),
      facts: { ...eligible, entityType: 'credit-institution' },
    });
    const initial = stage(result, 'initial');
    assert.equal(initial.kind === 'deadline' && initial.dueAt, '2026-07-11T00:00:00.000Z');
    assert.equal(initial.kind === 'deadline' && initial.strictDueAt, undefined);
  });

  it('gives no relief to an entity designated under NIS2, nor when the entity type is unknown', () => {
    for (const facts of [{ ...eligible, nis2Designated: true }, { memberState: 'DE' }]) {
      const result = computeStages(dora(), { at: '2026-07-10T22:00:00+02:00' }, { calendars: calendars(), facts });
      assert.equal(dueTable(result).initial, '2026-07-11T00:00:00.000Z');
    }
  });

  it("uses the Member State's bank holidays: 1 May 2026 (Friday) in Germany", () => {
    // Classified Thu 30 Apr 20:00Z; +4 h = Fri 1 May 00:00Z (02:00 CEST, Labour Day).
    // Next working day is Mon 4 May: 12:00 CEST = 10:00Z.
    const result = computeStages(dora(), { at: '2026-04-30T20:00:00Z' }, { calendars: calendars(), facts: eligible });
    assert.equal(dueTable(result).initial, '2026-05-04T10:00:00.000Z');
  });

  it('caps the initial report at 24 h after awareness', () => {
    // Awareness 9 Jul 12:00Z, classified 10 Jul 09:00Z: 4 h gives 13:00Z, the cap gives 12:00Z.
    const result = computeStages(dora(), { at: '2026-07-10T09:00:00Z', anchors: { awareness: '2026-07-09T12:00:00Z' } }, { calendars: calendars(), facts: eligible });
    assert.equal(dueTable(result).initial, '2026-07-10T12:00:00.000Z');
  });

  it('drops the 24 h cap when classification comes after it (RTS Art 5(2))', () => {
    // Awareness 6 Jul 08:00Z, cap 7 Jul 08:00Z already passed when classified 8 Jul 10:00Z: due 14:00Z.
    const result = computeStages(dora(), { at: '2026-07-08T10:00:00Z', anchors: { awareness: '2026-07-06T08:00:00Z' } }, { calendars: calendars(), facts: eligible });
    assert.equal(dueTable(result).initial, '2026-07-08T14:00:00.000Z');
  });

  it('recomputes intermediate and final from the actual initial submission', () => {
    // Initial sent Mon 13 Jul 09:00Z -> intermediate Thu 16 Jul 09:00Z (a working day, no relief).
    // Final projected 1 month after 16 Jul (Brussels) = end of Sun 16 Aug -> relief to Mon 17 Aug 12:00 CEST.
    const result = recomputeFrom(dora(), 'initial', '2026-07-13T09:00:00Z', { calendars: calendars(), facts: eligible });
    assert.deepEqual(dueTable(result), { intermediate: '2026-07-16T09:00:00.000Z', final: '2026-08-17T10:00:00.000Z' });
  });
});

describe('conditions (HIPAA thresholds)', () => {
  const discovery = '2026-02-10T15:00:00-05:00';
  // Day 60 after 10 Feb: 18 more in Feb (28), 31 in Mar (49), 11 in Apr (60) -> end of 11 Apr EDT.
  const sixtyDays = '2026-04-12T03:59:59.999Z';

  it('does not require media notice at exactly 500 residents of one state', () => {
    const [media] = computeStages(obligation('hipaa-media'), { at: discovery }, { calendars: calendars(), facts: { maxResidentsInOneState: 500 } });
    assert.equal(media?.kind, 'not-applicable');
  });

  it('requires media notice within 60 days above 500 residents of one state', () => {
    const result = computeStages(obligation('hipaa-media'), { at: discovery }, { calendars: calendars(), facts: { maxResidentsInOneState: 501 } });
    assert.deepEqual(dueTable(result), { 'media-notice': sixtyDays });
  });

  it('computes the media notice when the count is unknown, and says so', () => {
    const [media] = computeStages(obligation('hipaa-media'), { at: discovery }, { calendars: calendars() });
    assert.equal(media?.kind, 'deadline');
    assert.ok(media?.reasoning.some((line) => line.includes('not supplied')));
  });

  it('notifies HHS contemporaneously at 500 or more individuals', () => {
    const result = computeStages(obligation('hipaa-hhs'), { at: discovery }, { calendars: calendars(), facts: { individualsAffected: 500 } });
    assert.deepEqual(dueTable(result), { contemporaneous: sixtyDays, 'annual-log': 'not-applicable' });
  });

  it('logs fewer than 500 for HHS within 60 days after year end (1 Mar, or 29 Feb in a leap year)', () => {
    const small = computeStages(obligation('hipaa-hhs'), { at: discovery }, { calendars: calendars(), facts: { individualsAffected: 499 } });
    assert.deepEqual(dueTable(small), { contemporaneous: 'not-applicable', 'annual-log': '2027-03-02T04:59:59.999Z' });
    const leap = computeStages(obligation('hipaa-hhs'), { at: '2027-06-01T12:00:00-04:00' }, { calendars: calendars(), facts: { individualsAffected: 10 } });
    assert.equal(dueTable(leap)['annual-log'], '2028-03-01T04:59:59.999Z');
  });
});
