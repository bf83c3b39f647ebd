// The REPL's logic, apart from any terminal: lines go in; results, errors and prompts come
// out. An entry is read until its parentheses and strings are closed, then each form in it
// is evaluated in one interpreter, so `set` persists between entries.
import { LispError, printValue, read, suggestionText } from '../../lisp/index.ts';
import type { DataFormEvaluator, Interpreter, Node } from '../../lisp/index.ts';
import { renderLispError } from './render-error.ts';

export const REPL_FILE = '<repl>';

export type Output = { kind: 'result'; text: string } | { kind: 'error'; text: string } | { kind: 'info'; text: string };

export interface FeedResult {
  outputs: Output[];
  /** The entry is unfinished: show the continuation prompt. */
  more: boolean;
  quit: boolean;
}

const HELP = `Type a Lisp form and press Enter; an entry continues over several lines until its
parentheses close. Each result prints in Lisp notation. Variables set with (set "name" value)
stay for the session.

Commands:
  :help          this text and the list of built-ins
  :help NAME     usage and examples of the built-in NAME
  :vars          the variables set in this session
  :quit          leave (Ctrl-D works too)`;

export class ReplSession {
  private pending = '';
  private pendingLine = 1;
  private nextLine = 1;
  private readonly interp: Interpreter;
  private readonly dataForm: DataFormEvaluator;

  constructor(interp: Interpreter, dataForm?: DataFormEvaluator) {
    this.interp = interp;
    this.dataForm = dataForm ?? ((node, scope) => interp.evalData(node, scope));
  }

  get inEntry(): boolean {
    return this.pending !== '';
  }

  /** Drops an unfinished entry (Ctrl-C). */
  cancel(): void {
    this.pending = '';
  }

  feed(line: string): FeedResult {
    const lineNo = this.nextLine++;
    if (this.pending === '' && line.trim().startsWith(':')) return this.command(line.trim());
    if (this.pending === '') {
      if (line.trim() === '') return { outputs: [], more: false, quit: false };
      this.pendingLine = lineNo;
    }
    this.pending += `${line}\n`;
    let nodes: Node[];
    try {
      nodes = read(this.pending, REPL_FILE, { line: this.pendingLine, limits: this.interp.limits });
    } catch (err) {
      if (err instanceof LispError && err.code === 'incomplete') return { outputs: [], more: true, quit: false };
      return { outputs: [this.error(err)], more: false, quit: false };
    }
    const outputs: Output[] = [];
    try {
      for (const node of nodes) outputs.push({ kind: 'result', text: printValue(this.interp.evalProgram([node], this.dataForm)[0]!) });
    } catch (err) {
      outputs.push(this.error(err));
    }
    this.pending = '';
    return { outputs, more: false, quit: false };
  }

  /** End of input: an unfinished entry is an error. */
  end(): Output[] {
    if (this.pending === '') return [];
    try {
      read(this.pending, REPL_FILE, { line: this.pendingLine, limits: this.interp.limits });
      return [];
    } catch (err) {
      return [this.error(err)];
    }
  }

  /** Names to complete the word before the cursor with. */
  completions(word: string): string[] {
    if (word.startsWith(':')) return [':help', ':vars', ':quit'].filter((c) => c.startsWith(word));
    const names = [...this.interp.builtinNames(), ...this.interp.globals.names()];
    return [...new Set(names)].filter((n) => n.startsWith(word)).sort();
  }

  private error(err: unknown): Output {
    if (!(err instanceof LispError)) throw err;
    const source = { text: this.pending, firstLine: this.pendingLine };
    this.pending = '';
    return { kind: 'error', text: renderLispError(err, new Map([[REPL_FILE, source]])) };
  }

  private command(text: string): FeedResult {
    const [cmd, ...args] = text.split(/\s+/);
    const info = (t: string): FeedResult => ({ outputs: [{ kind: 'info', text: t }], more: false, quit: false });
    switch (cmd) {
      case ':q':
      case ':quit':
      case ':exit':
        return { outputs: [], more: false, quit: true };
      case ':vars': {
        const vars = this.interp.globals.entries();
        return info(vars.length === 0 ? '(no variables set)' : vars.map(([k, v]) => `${k} = ${printValue(v)}`).join('\n'));
      }
      case ':help':
      case ':h':
        return args.length === 0 ? info(`${HELP}\n\nBuilt-ins:\n${this.builtinList()}`) : info(args.map((a) => this.describe(a)).join('\n\n'));
      default: {
        const suggestion = suggestionText(cmd!, [':help', ':vars', ':quit']);
        return { outputs: [{ kind: 'error', text: `error: unknown REPL command ${cmd}${suggestion ? `; ${suggestion}` : ''} (try :help)` }], more: false, quit: false };
      }
    }
  }

  private builtinList(): string {
    const byGroup = new Map<string, string[]>();
    for (const name of this.interp.builtinNames()) {
      const group = this.interp.builtin(name)!.group;
      byGroup.set(group, [...(byGroup.get(group) ?? []), name]);
    }
    return [...byGroup].map(([group, names]) => `  ${`${group}:`.padEnd(28)} ${names.join(' ')}`).join('\n');
  }

  private describe(name: string): string {
    const b = this.interp.builtin(name);
    if (!b) {
      const suggestion = suggestionText(name, this.interp.builtinNames());
      return `no built-in named '${name}'${suggestion ? `; ${suggestion}` : ''}`;
    }
    const examples = b.examples.map(([expr, result]) => `  ${expr} → ${result}`).join('\n');
    return `${b.usage}\n  ${b.summary}\nExamples:\n${examples}`;
  }
}
