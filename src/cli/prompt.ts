// Questions to the person at the terminal, and reading piped input.
import { CliError } from './errors.ts';
import type { CliIO } from './io.ts';

/**
 * Reads all of standard input (for --password-stdin and piped files) — or, given `maxBytes`,
 * stops just past it: enough for the caller to refuse the input as too large.
 */
export async function readStdin(io: CliIO, maxBytes = Infinity): Promise<string> {
  let text = '';
  let bytes = 0;
  for await (const chunk of io.stdin) {
    const s = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    text += s;
    bytes += Buffer.byteLength(s);
    // Past the limit, what was read is enough to refuse it (the reader does), so stop reading.
    if (bytes > maxBytes) break;
  }
  return text;
}

/** Asks a yes/no question on the terminal; only "y" or "yes" counts as yes. */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  // readline is loaded only when a question is asked.
  const rl = process.getBuiltinModule('node:readline').createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream, terminal: false });
  try {
    io.stderr.write(`${question} [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

type RawInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Reads a line without echoing it (passphrases). Ctrl-C or Ctrl-D cancels. */
export function readHidden(io: CliIO, prompt: string): Promise<string> {
  const input = io.stdin as RawInput;
  // Echo off before the prompt shows, so nothing typed after it can appear on the screen.
  const raw = typeof input.setRawMode === 'function';
  if (raw) input.setRawMode!(true);
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.removeListener('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new CliError('cancelled', { exitCode: 130 }));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
