// Time and date. `now` is RFC 3339 in UTC, `timestamp` Unix seconds; `date` and `time` format
// the local time (the zone named by TZ) with a Go layout. In restricted mode TZ is an
// environment read like any other: without it allowed, local time is UTC.
import type { Value } from '../types.ts';
import { formatGoTime, localTime } from './go-time.ts';
import { fn, str } from './registry.ts';
import type { Call } from './registry.ts';

function zoneName(c: Call): string | undefined {
  const interp = c.interp;
  if (!interp.restrictions.envAllowed('TZ')) return 'UTC';
  const tz = interp.env.TZ;
  if (tz === undefined) return undefined; // the system's zone
  if (tz === '') return 'UTC'; // as Go and the C library read an empty TZ
  return tz.startsWith(':') ? tz.slice(1) : tz;
}

function formatted(defaultLayout: string) {
  return (c: Call): Value => {
    const layout = c.args.length > 0 ? str(c, 0) : defaultLayout;
    return formatGoTime(layout, localTime(c.interp.system.now(), zoneName(c)));
  };
}

export const timeBuiltins = [
  fn('now', [0, 0], { usage: '(now)', summary: 'the current time, RFC 3339 in UTC, whole seconds', examples: [['(now)', '"2026-01-05T11:42:41Z"']] }, (c) =>
    c.interp.system.now().toISOString().replace(/\.\d+Z$/, 'Z'),
  ),
  fn('timestamp', [0, 0], { usage: '(timestamp)', summary: 'the current Unix time in seconds', examples: [['(timestamp)', '1736078400']] }, (c) =>
    Math.floor(c.interp.system.now().getTime() / 1000),
  ),
  fn(
    'date',
    [0, 1],
    { usage: '(date [layout])', summary: 'the local date formatted with a Go layout (default "2006-01-02")', examples: [['(date "2006-01-02")', '"2026-01-05"'], ['(date "Mon, 02 Jan 2006 15:04 MST")', '"Mon, 05 Jan 2026 11:42 UTC"']] },
    formatted('2006-01-02'),
  ),
  fn(
    'time',
    [0, 1],
    { usage: '(time [layout])', summary: 'the local time formatted with a Go layout (default "15:04:05")', examples: [['(time "15:04:05")', '"11:42:41"'], ['(time "3:04PM")', '"11:42AM"']] },
    formatted('15:04:05'),
  ),
];
