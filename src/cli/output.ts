// The CLI's one output convention (docs/cli.md), declared here so that every command follows
// it by using these helpers:
//
//  - `--json` (jsonFlag): the command's output as JSON on standard output; an error is then
//    one JSON object on standard error, `{"error": …, "hint": …}`, with the same exit code.
//  - `--format <…>`: only where a command prints a document in a form chosen among several
//    (export-config, as the seed names it: lisp|json|meta; validate: text|json|lisp); its
//    `json` is what `--json` gives.
//  - `-o, --output <file>` (outputFileFlag): always a file to write (mode 0600) instead of
//    standard output — never a format: `-o json` is refused, not written to a file named json.
import { InvalidArgumentError, Option } from 'commander';

/** `--json`, for `.addOption(…)`. */
export function jsonFlag(what = 'print as JSON'): Option {
  return new Option('--json', `${what} (errors too, on standard error)`);
}

/** Format names an output file must not be mistaken for. */
const FORMAT_NAMES = new Set(['json', 'lisp', 'meta', 'yaml', 'yml', 'text', 'table']);

/** The value of `--output <file>`: a file name, refused when it is a bare format name. */
export function parseOutputFile(value: string): string {
  if (FORMAT_NAMES.has(value.toLowerCase())) {
    throw new InvalidArgumentError(`'${value}' is a format, not a file: --output names the file to write. For JSON use --json${value === 'json' || value === 'lisp' || value === 'meta' ? ' (or --format ' + value + ')' : ''}; for a file of that name, give ./${value}.`);
  }
  return value;
}

/** `-o, --output <file>`, for `.addOption(…)`. */
export function outputFileFlag(what = 'write to this file (mode 0600) instead of standard output'): Option {
  return new Option('-o, --output <file>', what).argParser(parseOutputFile);
}

/** Whether the command line asks for JSON output (`--json`, or `--format json`): errors are then JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  return args.some((a, i) => a === '--json' || a === '--format=json' || ((a === '--format' || a === '-f') && args[i + 1] === 'json'));
}

/** An error as JSON output gives it: one line on standard error. */
export function jsonError(message: string, hint?: string): string {
  return `${JSON.stringify({ error: message, ...(hint ? { hint } : {}) })}\n`;
}
