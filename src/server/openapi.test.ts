// The OpenAPI document fuzzed against the running server with schemathesis (PyPI): examples,
// coverage and fuzzing phases with every check but positive_data_acceptance — the server
// never answers 5xx, every answer has a documented status, content type and shape, schema-
// violating requests are refused, routes without a token are refused. A schema-valid request
// may still be refused by rules a schema cannot say (pre-flight: the stack must exist and
// the config evaluate; a token's expiry must be in the future), so that one check is off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { missing } from '../../test/helpers/parts.ts';
import { FAST, JobsEnv } from '../jobs/testing.ts';
import { startServer } from './index.ts';
import type { RunningServer } from './index.ts';

const skip = missing('schemathesis');
let env: JobsEnv;
let server: RunningServer;

before(async () => {
  if (skip) return;
  env = new JobsEnv();
  await env.createStack('jobs-small');
  await (await env.open('jobs-small')).close();
  server = await startServer({ dataDir: env.dataDir, baseEnv: env.baseEnv, host: '127.0.0.1', port: 0, runners: 1, timings: FAST, log: (m) => process.stderr.write(`${m}\n`) });
});
after(async () => {
  await server?.close();
  env?.cleanup();
});

test('schemathesis finds nothing wrong with the API against its OpenAPI document', { skip, timeout: 300_000 }, async () => {
  const admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
  const args = [
    '-m', 'schemathesis.cli', 'run', `${server.url}/openapi.json`,
    '-H', `Authorization: Bearer ${admin}`,
    '--checks', 'all', '--exclude-checks', 'positive_data_acceptance',
    '--phases', 'examples,coverage,fuzzing', '--max-examples', '25', '--workers', '1',
    // Its cache (.schemathesis/) goes to the test's own directory (cwd), not the repository.
    // Revoking the token the fuzzer itself uses would only test that revocation works.
    '--exclude-path-regex', '^/api/v1/tokens/',
    '--seed', '1', '--no-color',
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('python3', args, { cwd: env.dataDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (c) => resolve({ code: c, output }));
  });
  assert.equal(code, 0, output.slice(-6000));
  assert.match(output, /Tested: 2\d/);
});
