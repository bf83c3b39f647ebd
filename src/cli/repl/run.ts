// `repl`: an interactive prompt on a terminal (history, multi-line entries, completion), or,
// on piped input, read forms and print results (how scripts and tests drive it).
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { newInterpreter, noteMisspelling } from './evaluate.ts';
import { historyPath, HISTORY_SIZE, loadHistory, saveHistory } from './history.ts';
import { ReplSession } from './session.ts';
import type { Output } from './session.ts';

const PROMPT = 'sloth> ';
const CONTINUE = '  ...> ';

export interface ReplOptions {
  restricted?: boolean;
  allow: string[];
}

export async function runRepl(io: CliIO, opts: ReplOptions): Promise<void> {
  const interp = newInterpreter(io, io.cwd, opts);
  const session = new ReplSession(interp, noteMisspelling(interp, io));
  if (io.stdin.isTTY) await interactive(io, session, opts);
  else await piped(io, session);
}

function write(io: CliIO, outputs: Output[]): boolean {
  let failed = false;
  for (const o of outputs) {
    if (o.kind === 'error') {
      failed = true;
      io.stderr.write(`${o.text}\n`);
    } else io.stdout.write(`${o.text}\n`);
  }
  return failed;
}

async function piped(io: CliIO, session: ReplSession): Promise<void> {
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  let failed = false;
  for await (const line of rl) {
    const r = session.feed(line);
    if (write(io, r.outputs)) failed = true;
    if (r.quit) break;
  }
  rl.close();
  if (write(io, session.end())) failed = true;
  // Every error was printed where it happened; the exit status says that there were some.
  if (failed) throw new CliError('evaluation failed', { display: '' });
}

async function interactive(io: CliIO, session: ReplSession, opts: ReplOptions): Promise<void> {
  const path = historyPath(io.env);
  let history: string[] = [];
  try {
    history = loadHistory(path);
  } catch (err) {
    io.stderr.write(`warning: cannot read the history file ${path}: ${(err as Error).message}\n`);
  }
  const output = terminalOutput(io);
  const rl: Interface = createInterface({
    input: io.stdin,
    output,
    terminal: true,
    history,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: PROMPT,
    completer: (line: string) => {
      const word = /[^\s()"]*$/.exec(line)?.[0] ?? '';
      return [session.completions(word), word];
    },
  });
  let historyWarned = false;
  rl.on('history', (entries: string[]) => {
    try {
      saveHistory(path, entries);
    } catch (err) {
      if (!historyWarned) io.stderr.write(`warning: cannot save the history to ${path}: ${(err as Error).message}\n`);
      historyWarned = true;
    }
  });
  const mode = opts.restricted || opts.allow.length > 0 ? ' (restricted mode)' : '';
  io.stdout.write(`sloth-kubernetes Lisp${mode}. :help for help, :quit or Ctrl-D to leave.\n`);
  rl.prompt();
  await new Promise<void>((done) => {
    rl.on('line', (line) => {
      const r = session.feed(line);
      write(io, r.outputs);
      if (r.quit) {
        rl.close();
        return;
      }
      rl.setPrompt(r.more ? CONTINUE : PROMPT);
      rl.prompt();
    });
    rl.on('SIGINT', () => {
      // Ctrl-C drops the entry being typed; it does not leave.
      if (session.inEntry || rl.line !== '') {
        session.cancel();
        io.stdout.write('\n');
      } else io.stdout.write('\n(to leave, type :quit or press Ctrl-D)\n');
      rl.setPrompt(PROMPT);
      rl.prompt();
    });
    rl.on('close', () => {
      write(io, session.end());
      io.stdout.write('\n');
      done();
    });
  });
}

/** readline needs a stream; the CLI's stdout may be a plain writer (tests). */
function terminalOutput(io: CliIO): NodeJS.WritableStream {
  const out = io.stdout as Partial<NodeJS.WritableStream> & { isTTY?: boolean; columns?: number };
  if (typeof out.on === 'function' && typeof out.write === 'function') return out as NodeJS.WritableStream;
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      io.stdout.write(chunk.toString());
      cb();
    },
  }) as Writable & { isTTY: boolean; columns: number };
  w.isTTY = true;
  w.columns = io.stdout.columns ?? 80;
  return w;
}
