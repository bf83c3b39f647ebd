// Commands the product will have that are not built yet (docs/status.md). Until one lands it
// answers "`NAME` is not available yet; see docs/status.md" instead of "unknown
// command". Whoever builds one deletes its line here: a command registered under a name still
// listed wins, and a test (conventions.test.ts) fails until the line is gone.
import type { Command } from 'commander';
import { CliError } from './errors.ts';

// Empty today: every command of the spec is built.
export const PLANNED_COMMANDS: readonly string[] = [];

const find = (parent: Command, name: string): Command | undefined => parent.commands.find((c) => c.name() === name || c.aliases().includes(name));

/** Adds, hidden from help and completion, a stand-in for each planned command not registered yet. */
export function addPlannedCommands(program: Command): void {
  for (const path of PLANNED_COMMANDS) {
    const words = path.split(' ');
    let parent = program;
    for (const word of words.slice(0, -1)) parent = find(parent, word) ?? parent.command(word, { hidden: true });
    const name = words.at(-1)!;
    if (find(parent, name)) continue;
    parent
      .command(name, { hidden: true })
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CliError(`\`${path}\` is not available yet; see docs/status.md`);
      });
  }
}
