// The CLI bundle as a V8 script: how the single executable compiles and runs the bundle it
// holds as an asset (single-executable.ts), and how the build runs it once to make the code
// cache that start uses (scripts/build-exe.ts). Both go through here, so the source V8 sees
// (and the code cache is checked against) is the same string. And the names of the assets
// the build writes and the executable reads.
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** CommonJS's wrapper: the bundle sees `require`, `module`, `exports`, `__filename` and `__dirname` as in any .cjs file. */
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

/** The executable's asset holding `--help` as the bundle prints it at 80 columns for a program name (io.ts). */
export const helpAsset = (programName: string): string => `help.${programName}.txt`;

export function bundleScript(source: string, cachedData?: Uint8Array): Script {
  return new Script(wrap(source), {
    filename: 'sloth-kubernetes.cjs',
    // No importModuleDynamically: the bundle has no import() (scripts/bundle.ts makes them require).
    cachedData,
  });
}

/** Runs the bundle as the executable's main: its file name is the executable's, as Node gives a single executable's main. */
export function runBundle(script: Script, require: NodeJS.Require): void {
  const module = { exports: {} };
  const main = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  main(module.exports, require, module, process.execPath, dirname(process.execPath));
}
