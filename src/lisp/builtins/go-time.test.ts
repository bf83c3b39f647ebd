import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoTime, localTime } from './go-time.ts';

// 2026-01-05 09:07:03.045 UTC, a Monday, the 5th day of the year.
const utc = localTime(new Date('2026-01-05T09:07:03.045Z'), 'UTC');
const f = (layout: string) => formatGoTime(layout, utc);

test("Go's named layouts", () => {
  assert.equal(f('Mon Jan _2 15:04:05 2006'), 'Mon Jan  5 09:07:03 2026'); // ANSIC
  assert.equal(f('Mon, 02 Jan 2006 15:04:05 MST'), 'Mon, 05 Jan 2026 09:07:03 UTC'); // RFC1123
  assert.equal(f('02 Jan 06 15:04 -0700'), '05 Jan 26 09:07 +0000'); // RFC822Z
  assert.equal(f('2006-01-02T15:04:05Z07:00'), '2026-01-05T09:07:03Z'); // RFC3339
  assert.equal(f('2006-01-02T15:04:05.999999999Z07:00'), '2026-01-05T09:07:03.045Z'); // RFC3339Nano
  assert.equal(f('3:04PM'), '9:07AM'); // Kitchen
  assert.equal(f('Jan _2 15:04:05.000'), 'Jan  5 09:07:03.045'); // StampMilli
  assert.equal(f('Jan _2 15:04:05.000000'), 'Jan  5 09:07:03.045000'); // StampMicro
  assert.equal(f('2006-01-02 15:04:05'), '2026-01-05 09:07:03'); // DateTime
});

test('every layout token', () => {
  const cases: Array<[string, string]> = [
    ['January Jan 1 01', 'January Jan 1 01'],
    ['Monday Mon', 'Monday Mon'],
    ['2 _2 02 __2 002', '5  5 05   5 005'],
    ['15 3 03 4 04 5 05', '09 9 09 7 07 3 03'],
    ['2006 06', '2026 26'],
    ['PM pm', 'AM am'],
    ['.0 .00 .000 .9 .99 .999 ,000', '.0 .04 .045  .04 .045 ,045'], // .9 of 0.045 s is 0, trimmed with its dot
    ['-0700 -07:00 -07 -070000 -07:00:00', '+0000 +00:00 +00 +000000 +00:00:00'],
    ['Z0700 Z07:00 Z07 Z070000 Z07:00:00', 'Z Z Z Z Z'],
  ];
  for (const [layout, expected] of cases) assert.equal(f(layout), expected, layout);
});

test("chunk rules follow Go's: lower-case after Jan/Mon, _2006, fractions followed by a digit", () => {
  assert.equal(f('Janet Monkey'), 'Janet Monkey');
  assert.equal(f('_2006'), '_2026');
  assert.equal(f('05.0001'), '03.0001', "'.000' followed by a digit is not a fraction; '01' is the month");
  assert.equal(f('.999'), '.045');
  assert.equal(formatGoTime('.999 .9', localTime(new Date('2026-01-05T09:07:03.000Z'), 'UTC')), ' ', 'a zero fraction with 9s disappears with its dot');
  assert.equal(f('literal text: %Y-%m'), 'literal text: %Y-%m');
});

test('afternoon, midnight and noon on the 12-hour clock', () => {
  const at = (iso: string) => formatGoTime('3:04 03 PM pm', localTime(new Date(iso), 'UTC'));
  assert.equal(at('2026-01-05T00:05:00Z'), '12:05 12 AM am');
  assert.equal(at('2026-01-05T12:00:00Z'), '12:00 12 PM pm');
  assert.equal(at('2026-01-05T23:59:00Z'), '11:59 11 PM pm');
});

test('zones: offsets with minutes, negative offsets, tzdata abbreviations, numeric abbreviations', () => {
  const at = new Date('2026-07-04T23:30:05Z');
  const layout = 'Mon 15:04 MST -07:00 Z0700 -07';
  assert.equal(formatGoTime(layout, localTime(at, 'Asia/Kolkata')), 'Sun 05:00 IST +05:30 +0530 +05');
  assert.equal(formatGoTime(layout, localTime(at, 'America/New_York')), 'Sat 19:30 EDT -04:00 -0400 -04');
  assert.equal(formatGoTime(layout, localTime(new Date('2026-01-04T23:30:05Z'), 'America/New_York')), 'Sun 18:30 EST -05:00 -0500 -05');
  assert.equal(formatGoTime(layout, localTime(at, 'Asia/Dubai')), 'Sun 03:30 +04 +04:00 +0400 +04');
  assert.equal(formatGoTime('15:04:05 -07:00:00 -070000 MST', localTime(new Date('1970-01-01T12:00:00Z'), 'Africa/Monrovia')), '11:15:30 -00:44:30 -004430 MMT', 'seconds in a historical offset');
});

test('the day of the year in a leap year', () => {
  assert.equal(formatGoTime('002 __2', localTime(new Date('2028-12-31T12:00:00Z'), 'UTC')), '366 366');
});
