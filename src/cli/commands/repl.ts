// `repl`: an interactive Lisp prompt (implementation: ../repl/run.ts).
import type { Command } from 'commander';
import { restrictionOptions } from '../flags.ts';
import type { CliIO } from '../io.ts';


export function register(program: Command, io: CliIO): void {
  const command = program
    .command('repl')
    .description('an interactive Lisp prompt for trying built-ins and config snippets');
  restrictionOptions(command)
    .addHelpText(
      'after',
      `
On a terminal: history (kept in ~/.sloth-kubernetes/repl_history), multi-line entries until the
parentheses close, Tab completes built-in names; :help, :help NAME, :vars, :quit.
With piped input it reads forms and prints one result per line (errors go to standard error,
and the exit status is 1 if there was any).

Examples:
  ${io.programName} repl
  echo '(format "%s-%03d" "node" 7)' | ${io.programName} repl
`,
    )
    .action(async (opts: { restricted?: boolean; allow: string[] }) => {
      const { runRepl } = await import('../repl/run.ts');
      await runRepl(io, opts);
    });
}
