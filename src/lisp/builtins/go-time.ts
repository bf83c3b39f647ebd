// Go's time.Format: a layout is written as the reference time Mon Jan 2 15:04:05 MST 2006
// would look. The chunk recognition follows Go's rules (time/format.go, nextStdChunk), e.g.
// "Jan" is a month only when no lower-case letter follows, "_2006" is "_" then the year, and
// ".000"/".999" are fractional seconds only when no digit follows the run.
import { LispError } from '../types.ts';
import { zoneAbbreviation } from './zoneinfo.ts';

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  /** 1–366 */
  yearDay: number;
  hour: number;
  minute: number;
  second: number;
  /** 0–999 */
  millisecond: number;
  /** Seconds east of UTC. */
  offset: number;
  /** Zone abbreviation such as "UTC" or "EST"; "" when only a numeric offset is known. */
  zone: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Chunk =
  | 'January' | 'Jan' | '1' | '01' | 'Monday' | 'Mon' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z0700' | 'Z070000' | 'Z07' | 'Z07:00' | 'Z07:00:00'
  | '-0700' | '-070000' | '-07' | '-07:00' | '-07:00:00';

interface Frac {
  frac: true;
  sep: string;
  digits: number;
  trim: boolean;
}

type Token = string | { std: Chunk } | Frac;

const startsWithLower = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 97 && c <= 122;
};
const isDigitAt = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

function tokenize(layout: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  const push = (t: Token, skip: number) => {
    if (lit) out.push(lit);
    lit = '';
    out.push(t);
    return skip;
  };
  for (let i = 0; i < layout.length; ) {
    const rest = layout.slice(i);
    const ch = layout[i]!;
    let taken = 0;
    switch (ch) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) taken = push({ std: 'January' }, 7);
          else if (!startsWithLower(layout, i + 3)) taken = push({ std: 'Jan' }, 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) taken = push({ std: 'Monday' }, 6);
          else if (!startsWithLower(layout, i + 3)) taken = push({ std: 'Mon' }, 3);
        }
        if (!taken && rest.startsWith('MST')) taken = push({ std: 'MST' }, 3);
        break;
      case '0': {
        const d = layout[i + 1];
        if (d !== undefined && d >= '1' && d <= '6') taken = push({ std: (`0${d}`) as Chunk }, 2);
        else if (rest.startsWith('002')) taken = push({ std: '002' }, 3);
        break;
      }
      case '1':
        taken = layout[i + 1] === '5' ? push({ std: '15' }, 2) : push({ std: '1' }, 1);
        break;
      case '2':
        taken = rest.startsWith('2006') ? push({ std: '2006' }, 4) : push({ std: '2' }, 1);
        break;
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is a literal "_" followed by the year.
          if (rest.startsWith('_2006')) {
            lit += '_';
            taken = push({ std: '2006' }, 5);
          } else taken = push({ std: '_2' }, 2);
        } else if (rest.startsWith('__2')) taken = push({ std: '__2' }, 3);
        break;
      case '3':
      case '4':
      case '5':
        taken = push({ std: ch as Chunk }, 1);
        break;
      case 'P':
        if (layout[i + 1] === 'M') taken = push({ std: 'PM' }, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') taken = push({ std: 'pm' }, 2);
        break;
      case '-':
      case 'Z':
        for (const z of ['070000', '07:00:00', '0700', '07:00', '07']) {
          if (rest.startsWith(ch + z)) {
            taken = push({ std: (ch + z) as Chunk }, 1 + z.length);
            break;
          }
        }
        break;
      case '.':
      case ',': {
        const d = layout[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!isDigitAt(layout, j)) taken = push({ frac: true, sep: ch, digits: j - i - 1, trim: d === '9' }, j - i);
        }
        break;
      }
    }
    if (taken) i += taken;
    else {
      lit += ch;
      i++;
    }
  }
  if (lit) out.push(lit);
  return out;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function zone(t: LocalTime, std: Chunk): string {
  if (std.startsWith('Z') && t.offset === 0) return 'Z';
  let minutes = Math.trunc(t.offset / 60);
  let abs = t.offset;
  let sign = '+';
  if (minutes < 0) {
    sign = '-';
    minutes = -minutes;
    abs = -abs;
  }
  const colon = std.includes(':');
  let s = sign + pad(Math.trunc(minutes / 60), 2);
  if (std !== '-07' && std !== 'Z07') s += (colon ? ':' : '') + pad(minutes % 60, 2);
  if (std.endsWith('0000') || std.endsWith(':00:00')) s += (colon ? ':' : '') + pad(abs % 60, 2);
  return s;
}

export function formatGoTime(layout: string, t: LocalTime): string {
  let out = '';
  for (const tok of tokenize(layout)) {
    if (typeof tok === 'string') {
      out += tok;
      continue;
    }
    if ('frac' in tok) {
      const digits = (pad(t.millisecond, 3) + '000000').slice(0, 9).slice(0, tok.digits);
      const shown = tok.trim ? digits.replace(/0+$/, '') : digits;
      if (shown) out += tok.sep + shown;
      continue;
    }
    const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (tok.std) {
      case 'January': out += MONTHS[t.month - 1]; break;
      case 'Jan': out += MONTHS[t.month - 1]!.slice(0, 3); break;
      case '1': out += t.month; break;
      case '01': out += pad(t.month, 2); break;
      case 'Monday': out += DAYS[t.weekday]; break;
      case 'Mon': out += DAYS[t.weekday]!.slice(0, 3); break;
      case '2': out += t.day; break;
      case '_2': out += String(t.day).padStart(2, ' '); break;
      case '02': out += pad(t.day, 2); break;
      case '__2': out += String(t.yearDay).padStart(3, ' '); break;
      case '002': out += pad(t.yearDay, 3); break;
      case '15': out += pad(t.hour, 2); break;
      case '3': out += h12; break;
      case '03': out += pad(h12, 2); break;
      case '4': out += t.minute; break;
      case '04': out += pad(t.minute, 2); break;
      case '5': out += t.second; break;
      case '05': out += pad(t.second, 2); break;
      case '2006': out += pad(t.year, 4); break;
      case '06': out += pad(t.year % 100, 2); break;
      case 'PM': out += t.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += t.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': out += t.zone || zone(t, '-0700'); break;
      default: out += zone(t, tok.std);
    }
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * The wall-clock fields of `date` in `timeZone` (an IANA name; undefined = the system's zone).
 * A TZ value that names no zone is an error rather than a silent fall-back to UTC.
 */
export function localTime(date: Date, timeZone: string | undefined): LocalTime {
  let f: Intl.DateTimeFormat;
  try {
    f = formatterFor(timeZone);
  } catch {
    throw new LispError(`TZ=${timeZone} is not a time zone this system knows`, undefined, {
      hint: 'set TZ to an IANA zone name such as UTC or Europe/Berlin',
    });
  }
  const ms = date.getTime();
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(date)) parts[p.type] = p.value;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  const offset = Math.round((wall - wholeSecond) / 1000);
  const local = new Date(ms + offset * 1000);
  const yearStart = Date.UTC(local.getUTCFullYear(), 0, 1);
  const intlName = parts.timeZoneName ?? '';
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    weekday: local.getUTCDay(),
    yearDay: Math.floor((local.getTime() - yearStart) / 86_400_000) + 1,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    offset,
    // Intl gives "GMT+1" where CLDR has no abbreviation; then Go's numeric form is printed.
    zone: zoneAbbreviation(timeZone, Math.floor(ms / 1000), offset) ?? (/^[A-Z]{2,5}$/.test(intlName) ? intlName : ''),
  };
}
