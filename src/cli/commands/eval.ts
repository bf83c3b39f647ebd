// `eval`: evaluate Lisp and print each top-level result (implementation: ../repl/evaluate.ts).
import type { Command } from 'commander';
import { collect, restrictionOptions } from '../flags.ts';
import type { CliIO } from '../io.ts';


export function register(program: Command, io: CliIO): void {
  const command = program
    .command('eval')
    .argument('[file]', 'Lisp file to evaluate ("-" reads standard input)')
    .description('evaluate a Lisp file or expression and print each top-level result in Lisp notation')
    .option('-e, --expr <expr>', 'evaluate this expression instead of a file; repeatable', collect, [] as string[]);
  restrictionOptions(command)
    .addHelpText(
      'after',
      `
Results print as Lisp: strings quoted, lists in parentheses, true, false, nil. A form whose head
is not a built-in, like (cluster …), is data: it prints with its values evaluated.
Built-ins and semantics: docs/lisp.md.

Examples:
  ${io.programName} eval --expr '(concat "cluster-" (env "CLUSTER_ENV" "dev"))'
  ${io.programName} eval cluster.lisp
  ${io.programName} eval --restricted --allow env:AWS_REGION cluster.lisp
`,
    )
    .action(async (file: string | undefined, opts: { expr: string[]; restricted?: boolean; allow: string[] }) => {
      const { runEval } = await import('../repl/evaluate.ts');
      await runEval(io, file, opts);
    });
}
