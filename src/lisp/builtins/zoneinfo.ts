// Time zone abbreviations ("JST", "CET", "+04") as Go prints them for the MST layout token:
// from the system's tzdata (TZif files under /usr/share/zoneinfo, /etc/localtime for the
// system zone), which is where Go reads them on Linux. Intl only knows CLDR names, which for
// most zones are "GMT+9"-style.
import { readFileSync } from 'node:fs';

interface ZoneType {
  utoff: number;
  abbr: string;
}

interface ZoneData {
  transitions: number[];
  typeIndex: number[];
  types: ZoneType[];
  /** From the POSIX TZ footer: the names used after the last transition, by UTC offset. */
  footer: ZoneType[];
}

const cache = new Map<string, ZoneData | null>();

function parse(buf: Buffer): ZoneData | null {
  if (buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = buf[4]!;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(at + 20 + i * 4)) as [number, number, number, number, number, number];
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  let at = 44;
  let timeSize = 4;
  if (version >= 0x32) {
    // Skip the 32-bit block; the 64-bit one after the second header covers all times.
    at += timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at);
    at += 44;
    timeSize = 8;
  }
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++) transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4));
  at += timecnt * timeSize;
  const typeIndex = [...buf.subarray(at, at + timecnt)];
  at += timecnt;
  const raw: Array<[number, number]> = [];
  for (let i = 0; i < typecnt; i++) raw.push([buf.readInt32BE(at + i * 6), buf[at + i * 6 + 5]!]);
  at += typecnt * 6;
  const chars = buf.subarray(at, at + charcnt);
  const types = raw.map(([utoff, idx]) => ({ utoff, abbr: chars.toString('latin1', idx, chars.indexOf(0, idx)) }));
  at += charcnt + leap * (timeSize + 4) + isstd + isut;
  const footer = timeSize === 8 ? parseFooter(buf.toString('latin1', at).split('\n')[1] ?? '') : [];
  return { transitions, typeIndex, types, footer };
}

const NAME = '(<[^>]+>|[A-Za-z]{3,})';
const OFFSET = '([+-]?\\d{1,3}(?::\\d{1,2}){0,2})';
const POSIX_TZ = new RegExp(`^${NAME}${OFFSET}(?:${NAME}${OFFSET}?)?`);

function posixOffset(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, m = 0, s = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  // POSIX offsets count west of Greenwich; TZif offsets count east.
  return -sign * (h * 3600 + m * 60 + s);
}

function parseFooter(tz: string): ZoneType[] {
  const m = POSIX_TZ.exec(tz);
  if (!m) return [];
  const unquote = (s: string) => s.replace(/^<|>$/g, '');
  const std = { utoff: posixOffset(m[2]!), abbr: unquote(m[1]!) };
  if (!m[3]) return [std];
  return [std, { utoff: m[4] ? posixOffset(m[4]) : std.utoff + 3600, abbr: unquote(m[3]) }];
}

function load(zone: string | undefined): ZoneData | null {
  if (zone !== undefined && (zone.startsWith('/') || zone.split('/').includes('..'))) return null;
  const path = zone === undefined ? '/etc/localtime' : `/usr/share/zoneinfo/${zone}`;
  let data = cache.get(path);
  if (data === undefined) {
    try {
      data = parse(readFileSync(path));
    } catch {
      data = null;
    }
    cache.set(path, data);
  }
  return data;
}

/** The abbreviation in force at `unixSeconds` with UTC offset `offset`, if the system's tzdata knows it. */
export function zoneAbbreviation(zone: string | undefined, unixSeconds: number, offset: number): string | undefined {
  const data = load(zone);
  if (!data) return undefined;
  const t = data.transitions;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= unixSeconds) lo = mid + 1;
    else hi = mid;
  }
  const beyondLast = lo === t.length && t.length > 0;
  if (!beyondLast || data.footer.length === 0) {
    const type = lo > 0 ? data.types[data.typeIndex[lo - 1]!] : data.types[0];
    if (type && type.utoff === offset) return type.abbr;
  }
  return data.footer.find((f) => f.utoff === offset)?.abbr ?? [...data.types].reverse().find((ty) => ty.utoff === offset)?.abbr;
}
