// How large a source may be: a configuration is refused before it is read into memory, let
// alone evaluated, when it is larger than `maxSourceBytes`; the reader stops at `maxNodes`
// syntax nodes. Without these a 100 MB file ended the process with an out-of-memory crash.
import { open } from 'node:fs/promises';
import { LispError } from './types.ts';
import { DEFAULT_LIMITS, RESTRICTED_LIMITS } from './options.ts';
import type { Limits } from './options.ts';

export type SourceLimits = Pick<Limits, 'maxSourceBytes' | 'maxNodes'>;

const bounds = (l: SourceLimits) => `${size(l.maxSourceBytes)} or ${l.maxNodes.toLocaleString('en-US')} forms`;
// Worded only when needed: the first toLocaleString of a process sets up ICU's number
// formatting (~12 ms of CPU), which every start that loads the reader paid.
const hint = () =>
  `a source is refused past ${bounds(DEFAULT_LIMITS)} (in restricted mode, as the server and the operator evaluate: ${bounds(RESTRICTED_LIMITS)}), ` +
  'so that reading and evaluating it stay within bounded memory and time; see docs/lisp.md, "Restricted mode"';

export function sourceTooLarge(name: string, limits: SourceLimits): LispError {
  return new LispError(`${name} is larger than ${size(limits.maxSourceBytes)}, the limit for a source`, undefined, { code: 'limit', hint: hint() });
}

export function tooManyNodes(limits: SourceLimits, pos: LispError['pos']): LispError {
  return new LispError(`the source holds more than ${limits.maxNodes.toLocaleString('en-US')} forms (atoms, strings and lists), the limit for a source`, pos, { code: 'limit', hint: hint() });
}

/** Throws when `text` is larger than the limit. */
export function checkSourceSize(text: string, name: string, limits: SourceLimits): void {
  // Every UTF-16 code unit is at least one UTF-8 byte: only a text near the limit is measured.
  if (text.length > limits.maxSourceBytes || (text.length * 3 > limits.maxSourceBytes && Buffer.byteLength(text, 'utf8') > limits.maxSourceBytes)) {
    throw sourceTooLarge(name, limits);
  }
}

/**
 * The text of a source file, read up to one byte past the limit (a pipe or device may never
 * end, and a file may grow after a stat): larger is refused without being held in memory.
 * File system errors are thrown as they are, for the caller to word.
 */
export async function readSourceFile(path: string, name: string, limits: SourceLimits): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(limits.maxSourceBytes + 1, 1 << 20));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
      total += bytesRead;
      if (total > limits.maxSourceBytes) throw sourceTooLarge(name, limits);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await fh.close();
  }
}

function size(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes.toLocaleString('en-US')} bytes`;
}
