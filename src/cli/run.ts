// Runs one invocation of the CLI against the given IO and returns the exit code.
// `main.ts` calls it with the real process; tests call it with captured streams.
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';
import type { CliIO } from './io.ts';
import { reportError } from './errors.ts';
import { wantsJson } from './output.ts';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const json = wantsJson(argv);
  const program = await buildProgram(io, json);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    // Commander has already printed its own usage errors; --help and --version end here too.
    if (err instanceof CommanderError) return err.exitCode;
    const exit = (err as { exitCode?: unknown } | null)?.exitCode;
    if (exit === 0) return 0;
    return reportError(err, (s) => io.stderr.write(s), { verbose: Boolean(program.opts().verbose), programName: io.programName, json });
  }
}
