// The process's own streams: a reader that closes the pipe early (`| head`) ends the output
// quietly, with the command's exit code and nothing on stderr (it used to crash with an
// unhandled EPIPE and a stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cleanEnv, launcher } from '../../test/helpers/cli.ts';

/** Runs the CLI and closes its stdout after the first chunk, as `| head -c 5` does. */
function runIntoClosedPipe(argv: string[]): Promise<{ code: number | null; signal: string | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...argv], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString().slice(0, 5);
      child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, first, stderr }));
  });
}

for (const argv of [['eval', '--expr', '(range 100000)', '--expr', '(range 100000)'], ['stacks', '--help']]) {
  test(`${argv.slice(0, 2).join(' ')} into a pipe closed early exits quietly`, async () => {
    const r = await runIntoClosedPipe(argv);
    assert.notEqual(r.first, '');
    assert.equal(r.stderr, '');
    assert.equal(r.signal, null);
    assert.equal(r.code, 0);
  });
}
