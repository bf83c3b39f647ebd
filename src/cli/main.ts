// Process entry point (see bin/sloth-kubernetes.js; the single executable's bundle starts
// here too, so no top-level await: scripts/build-exe.ts).
import { processIO } from './io.ts';
import { runCli } from './run.ts';

void runCli(process.argv.slice(2), processIO()).then((code) => {
  process.exitCode = code;
});
