import assert from 'node:assert/strict';
import { createCalendar } from '../../obligations/calendars/business-calendar';
import { usFederalHolidays } from '../../obligations/calendars/us-federal';

const dates = (year: number) => usFederalHolidays(year).map((h) => h.date);

describe('US federal holidays (5 U.S.C. 6103)', () => {
  it('lists the eleven observed holidays of 2026, worked out from a 2026 wall calendar', () => {
    // 1 Jan is a Thursday; the Monday rules land on 19 Jan, 16 Feb, 25 May (31 May is a Sunday),
    // 7 Sep, 12 Oct; 4 Jul is a Saturday so 3 Jul is observed; Thanksgiving is 26 Nov.
    assert.deepEqual(dates(2026), [
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
    ]);
  });

  it('observes Independence Day 2026 (a Saturday) on Friday 3 July and records the actual date', () => {
    const july = usFederalHolidays(2026).find((h) => h.name === 'Independence Day');
    assert.deepEqual(july, { date: '2026-07-03', name: 'Independence Day', actualDate: '2026-07-04' });
  });

  it('observes Christmas 2022 (a Sunday) on Monday 26 December', () => {
    assert.ok(dates(2022).includes('2022-12-26'));
    assert.ok(!dates(2022).includes('2022-12-25'));
  });

  it('moves a Saturday New Year into the previous year (1 Jan 2028 -> Fri 31 Dec 2027)', () => {
    assert.ok(dates(2027).includes('2027-12-31'));
    assert.ok(!dates(2028).some((d) => d.startsWith('2028-01-0')));
    // Christmas 2027 is also a Saturday: observed Friday 24 Dec.
    assert.ok(dates(2027).includes('2027-12-24'));
  });

  it('has Juneteenth from 2021 only, observed on Fri 18 Jun in 2021', () => {
    assert.ok(dates(2021).includes('2021-06-18'));
    assert.ok(!dates(2020).some((d) => d.startsWith('2020-06-1')));
  });

  it('places Memorial Day on the last Monday even when May has five Mondays (2027: 31 May)', () => {
    assert.ok(dates(2027).includes('2027-05-31'));
  });
});

describe('US federal business calendar', () => {
  const calendar = createCalendar({ kind: 'us-federal', closures: [{ date: '2025-01-09', reason: 'National Day of Mourning' }] });

  it('treats weekends, observed holidays and override closures as closed', () => {
    assert.ok(calendar.closedBecause('2026-07-04')); // Saturday
    assert.ok(calendar.closedBecause('2026-07-03')); // observed Independence Day
    assert.ok(calendar.closedBecause('2026-11-26')); // Thanksgiving
    assert.ok(calendar.closedBecause('2025-01-09')); // executive-order closure from data
  });

  it('keeps ordinary weekdays open, including the statutory date of a moved holiday', () => {
    assert.equal(calendar.closedBecause('2026-07-06'), undefined);
    assert.equal(calendar.closedBecause('2025-01-10'), undefined);
    assert.equal(calendar.closedBecause('2021-06-21'), undefined);
  });

  it('does not close the override date on a calendar without it', () => {
    const plain = createCalendar({ kind: 'us-federal', closures: [] });
    assert.equal(plain.closedBecause('2025-01-09'), undefined);
  });
});
