// Process entry point (see bin/sloth-kubernetes.js; the single executable's bundle starts
// here too, so no top-level await: scripts/build-exe.ts). `--version` alone is answered
// before the command tree is loaded, so it costs little more than starting Node.
import { processIO } from './io.ts';
import { versionLine } from './version-info.ts';

const argv = process.argv.slice(2);
const io = processIO();
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  io.stdout.write(`${versionLine(io.programName)}\n`);
} else {
  void import('./run.ts')
    .then(({ runCli }) => runCli(argv, io))
    .then((code) => {
      process.exitCode = code;
    });
}
