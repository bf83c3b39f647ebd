// Process entry point (see bin/sloth-kubernetes.js; the single executable's bundle starts
// here too, so no top-level await: scripts/build-exe.ts). `--version` alone is answered
// before the command tree is loaded, so it costs little more than starting Node.
import { processIO, programName } from './io.ts';
import { versionLine } from './version-info.ts';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${versionLine(programName())}\n`);
} else {
  void import('./run.ts')
    .then(({ runCli }) => runCli(argv, processIO()))
    .then((code) => {
      process.exitCode = code;
    });
}
