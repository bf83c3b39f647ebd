// `eval`: evaluate a file or expressions and print each top-level result in Lisp notation.
import { dirname, resolve } from 'node:path';
import { Interpreter, LispError, printValue, read, readSourceFile, suggestionText } from '../../lisp/index.ts';
import type { DataFormEvaluator, Node } from '../../lisp/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { renderLispError } from './render-error.ts';
import type { Source } from './render-error.ts';

export interface EvalCommandOptions {
  expr: string[];
  restricted?: boolean;
  allow: string[];
}

/** `--allow` implies `--restricted`, as for `validate`. */
export function restrictedOption(opts: { restricted?: boolean; allow: string[] }): { allow: string[] } | undefined {
  return opts.restricted || opts.allow.length > 0 ? { allow: opts.allow } : undefined;
}

export function newInterpreter(io: CliIO, baseDir: string, opts: { restricted?: boolean; allow: string[] }): Interpreter {
  try {
    return new Interpreter({ env: io.env, baseDir, cwd: io.cwd, restricted: restrictedOption(opts) });
  } catch (err) {
    if (err instanceof LispError) throw new CliError(err.message, { hint: err.hint });
    throw err;
  }
}

/**
 * The schema-less view of a top-level data form, with a note when its head looks like a
 * misspelt built-in (`(concatt …)` is data, not an unknown function, at the top level).
 */
export function noteMisspelling(interp: Interpreter, io: CliIO): DataFormEvaluator {
  return (node, scope) => {
    const head = node.items[0];
    if (head?.kind === 'symbol') {
      const suggestion = suggestionText(head.name, interp.builtinNames());
      if (suggestion) {
        io.stderr.write(`note: ${head.pos.file}:${head.pos.line}:${head.pos.col}: '${head.name}' is not a built-in, so (${head.name} …) is printed as data; ${suggestion}\n`);
      }
    }
    return interp.evalData(node, scope);
  };
}

export async function runEval(io: CliIO, file: string | undefined, opts: EvalCommandOptions): Promise<void> {
  if (file !== undefined && opts.expr.length > 0) {
    throw new CliError('give either a FILE or --expr, not both', { hint: `${io.programName} eval cluster.lisp  or  ${io.programName} eval --expr '(+ 1 2)'` });
  }
  if (file === undefined && opts.expr.length === 0) {
    throw new CliError('nothing to evaluate: give a FILE or --expr EXPR', { hint: `${io.programName} eval --expr '(concat "a" "b")'` });
  }
  const inputs: Array<{ name: string; text: string }> = [];
  const full = file !== undefined && file !== '-' ? resolve(io.cwd, file) : undefined;
  const interp = newInterpreter(io, full ? dirname(full) : io.cwd, opts);
  const limits = interp.limits;
  if (file === '-') {
    const { readStdin } = await import('../prompt.ts');
    inputs.push({ name: '<stdin>', text: await readStdin(io, limits.maxSourceBytes) });
  } else if (file !== undefined) {
    try {
      inputs.push({ name: file, text: await readSourceFile(full!, file, limits) });
    } catch (err) {
      if (err instanceof LispError) throw new CliError(err.message, { hint: err.hint });
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? err);
      throw new CliError(`cannot read ${file}: ${why}`);
    }
  } else {
    opts.expr.forEach((text, i) => inputs.push({ name: opts.expr.length === 1 ? '<expr>' : `<expr ${i + 1}>`, text }));
  }

  const dataForm = noteMisspelling(interp, io);
  const sources = new Map<string, Source>(inputs.map((i) => [i.name, { text: i.text, firstLine: 1 }]));
  try {
    for (const input of inputs) {
      const nodes: Node[] = read(input.text, input.name, { limits });
      // One form at a time, so results before an error are printed.
      for (const node of nodes) io.stdout.write(`${printValue(interp.evalProgram([node], dataForm)[0]!)}\n`);
    }
  } catch (err) {
    if (err instanceof LispError) throw new CliError(err.message, { display: renderLispError(err, sources, false), hint: err.hint });
    throw err;
  }
}
