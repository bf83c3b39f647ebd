// The single executable's entry (scripts/build-exe.ts makes it the executable's main). It
// answers `--version` at once, and `--help` from the text the build printed by running the
// CLI bundle itself (`--help` at 80 columns; on a terminal of another width the bundle runs,
// as commander wraps to the terminal's width). For anything else it runs the CLI bundle
// (main.ts and all it imports), which the executable holds as an asset, compiled with the V8
// code cache the build made by running it. Kept small: all of it is compiled at every start.
import { getAsset, getRawAsset } from 'node:sea';
import { debuglog } from 'node:util';
import { bundleScript, helpAsset, runBundle } from './bundle-script.ts';
import { programName } from './io.ts';
import { versionLine } from './version-info.ts';

const argv = process.argv.slice(2);
/** The width commander wraps help to: the terminal's, else 80. */
const helpWidth = () => (process.stdout.isTTY ? process.stdout.columns : 80);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${versionLine(programName())}\n`);
} else if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && helpWidth() === 80) {
  process.stdout.write(getAsset(helpAsset(programName()), 'utf8'));
} else {
  // The build wrote the bundle in ASCII (scripts/build-exe.ts), so it is read as Latin-1: a
  // copy, with no UTF-8 decoding of its megabytes.
  const cache = getRawAsset('cli.cache');
  const script = bundleScript(Buffer.from(getRawAsset('cli.cjs')).toString('latin1'), cache.byteLength > 0 ? new Uint8Array(cache) : undefined);
  // NODE_DEBUG=sloth-exe: whether V8 took the code cache (the exe test checks it did).
  debuglog('sloth-exe')(`code cache ${cache.byteLength === 0 ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'}`);
  runBundle(script, require);
}
