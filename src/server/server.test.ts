// The server over real HTTP, on SQLite, with the simulated cloud: tokens and roles (401 for
// none, unknown, revoked or expired; 403 naming the role needed), bad input answered with a
// clear 4xx and nothing queued, and the whole flow through the `jobs` commands — create a
// deploy job, follow its log live, approve it with an approver's token, see the outputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInProcess, cleanEnv } from '../../test/helpers/cli.ts';
import { DO_TOKEN, FAST, JobsEnv, PASSPHRASE, SMALL_CONFIG, waitFor } from '../jobs/testing.ts';
import { startServer } from './index.ts';
import type { RunningServer } from './index.ts';

let env: JobsEnv;
let server: RunningServer;
let admin: string;

before(async () => {
  env = new JobsEnv();
  await env.createStack('jobs-small');
  await (await env.open('jobs-small')).close(); // credentials and settings stored
  server = await startServer({ dataDir: env.dataDir, baseEnv: env.baseEnv, host: '127.0.0.1', port: 0, runners: 1, timings: FAST, log: () => undefined });
  admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
});
after(async () => {
  await server?.close();
  env?.cleanup();
});

const call = async (method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, body: typeof body === 'string' ? body : body !== undefined ? JSON.stringify(body) : undefined });
  return { status: r.status, body: (await r.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function token(role: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/api/v1/tokens', admin, { name: `${role}-${Math.random().toString(36).slice(2, 6)}`, role, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.token as string;
}

test('the admin token of the first start is private; tokens are stored hashed; roles are enforced with clear answers', async () => {
  assert.equal(statSync(server.adminTokenFile!).mode & 0o777, 0o600);
  const db = readFileSync(join(env.dataDir, 'jobs.db'));
  assert.equal(db.includes(Buffer.from(admin)), false, 'the token itself is not in the database');
  assert.equal(db.includes(Buffer.from(DO_TOKEN)), false, 'credentials are sealed');
  assert.equal(db.includes(Buffer.from(PASSPHRASE)), false, 'credentials are sealed');

  assert.equal((await call('GET', '/api/v1/jobs', undefined)).status, 401);
  assert.match((await call('GET', '/api/v1/jobs', 'slk_nope')).body.error.message, /not known/);
  const viewer = await token('viewer');
  assert.equal((await call('GET', '/api/v1/jobs', viewer)).status, 200);
  const denied = await call('POST', '/api/v1/jobs', viewer, { stack: 'jobs-small', operation: 'refresh' });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /needs the operator role; the token '.*' is viewer/);
  const soon = await token('admin', { expiresAt: Date.now() + 300 });
  await sleep(400);
  const expired = await call('GET', '/api/v1/jobs', soon);
  assert.equal(expired.status, 401);
  assert.match(expired.body.error.message, /expired/);
  const list = await call('GET', '/api/v1/tokens', admin);
  const id = (list.body.tokens as { id: string; name: string }[]).find((t) => t.name.startsWith('viewer-'))!.id;
  assert.equal((await call('DELETE', `/api/v1/tokens/${id}`, admin)).status, 200);
  assert.match((await call('GET', '/api/v1/jobs', viewer)).body.error.message, /revoked/);
  const audit = await call('GET', '/api/v1/audit', admin);
  assert.ok((audit.body.events as { action: string }[]).some((e) => e.action === 'token.revoke'));
});

test("a stack's job settings are recorded in the stack's audit log; credentials that cannot open it are refused; a stack not created yet has them in the server's log", async () => {
  const set = (stack: string, credentials: string[]) => call('PUT', `/api/v1/stacks/${stack}/settings`, admin, { organization: 'acme', environment: 'staging', credentials });
  const ok = await set('jobs-small', ['do', 'pass']);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const stackLog = await call('GET', '/api/v1/stacks/jobs-small/audit', admin);
  const entry = (stackLog.body.events as { metadata?: { command?: string }; actor?: string; description?: string }[]).find((e) => e.metadata?.command === 'server stack-settings');
  assert.ok(entry, JSON.stringify(stackLog.body.events).slice(0, 2000));
  assert.equal(entry.actor, 'token:admin');
  assert.equal(entry.description, "job settings of stack 'jobs-small' set");

  const refused = await set('jobs-small', ['do']);
  assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused.body));
  assert.match(refused.body.error.message, /passphrase/i);
  assert.deepEqual((await call('GET', '/api/v1/stacks/jobs-small', admin)).body.settings.credentials, ['do', 'pass'], 'nothing changed');

  const bad = await call('PUT', '/api/v1/stacks/jobs-small/settings', admin, { organization: 'acme', environment: 'staging', credentials: 'do' });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.match(bad.body.error.message, /credentials must be a list of credential names/);

  const early = await set('not-created-yet', ['do', 'pass']);
  assert.equal(early.status, 200, JSON.stringify(early.body));
  const serverLog = (await call('GET', '/api/v1/audit', admin)).body.events as { action: string; target: string; detail: { inStackLog?: boolean } }[];
  assert.equal(serverLog.find((e) => e.action === 'stack-settings.set' && e.target === 'not-created-yet')?.detail.inStackLog, false);
});

test('bad input gets a clear 4xx and queues nothing', async () => {
  const operator = await token('operator');
  const before = (await call('GET', '/api/v1/jobs', admin)).body.jobs.length;
  const bad = [
    [await call('POST', '/api/v1/jobs', operator, '{"stack": ', { 'content-type': 'application/json' }), 400, /not valid JSON/],
    [await call('POST', '/api/v1/jobs', operator, 'stack=x', { 'content-type': 'text/plain' }), 415, /application\/json/],
    [await call('POST', '/api/v1/jobs', operator, { stack: 'jobs-small', operation: 'explode' }), 400, /operation: one of/],
    [await call('POST', '/api/v1/jobs', operator, { stack: 'ghost', operation: 'deploy', config: { text: SMALL_CONFIG } }), 422, /pre-flight found/],
    [await call('POST', '/api/v1/jobs', operator, { stack: 'jobs-small', operation: 'deploy', config: { text: '(cluster (metadata (name' } }), 422, /pre-flight found/],
    [await call('GET', '/api/v1/jobs/sj_nope', operator), 404, /no job 'sj_nope'/],
    [await call('POST', '/api/v1/jobs/sj_nope/approve', admin, {}), 404, /no job/],
    [await call('GET', '/api/v1/jobs?status=sleeping', operator), 400, /status must be one of/],
    [await call('DELETE', '/api/v1/jobs', admin), 405, /not allowed/],
    [await call('GET', '/api/v1/nothing', admin), 404, /no such endpoint/],
  ] as const;
  for (const [r, status, message] of bad) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.body.error.message, message);
  }
  const ghost = bad[3][0].body.error.problems as string[];
  assert.ok(ghost.some((p) => /stack 'ghost' does not exist/.test(p)), ghost.join('\n'));
  assert.ok((bad[4][0].body.error.problems as string[]).some((p) => /^cluster\.lisp:1:\d+:/.test(p)));
  assert.equal((await call('GET', '/api/v1/jobs', admin)).body.jobs.length, before, 'nothing queued');
});

test('the OpenAPI document and the UI are served by the same process', async () => {
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/v1/jobs/{id}/approve']);
  const page = await fetch(`${server.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(await page.text(), /<script type="module" src="\/ui\/app.js">/);
  assert.equal((await fetch(`${server.url}/ui/../server.key`)).status, 404);
});

test('the jobs commands: create a deploy, follow its log live, approve it as an approver, see the outputs', async () => {
  const setPolicy = await call('PUT', '/api/v1/policies/stack/jobs-small', admin, { pauseBetweenPreviewAndUpdate: true });
  assert.equal(setPolicy.status, 200, JSON.stringify(setPolicy.body));
  const operatorFile = join(env.dir, 'operator.token');
  const approverFile = join(env.dir, 'approver.token');
  writeFileSync(operatorFile, await token('operator'), { mode: 0o600 });
  writeFileSync(approverFile, await token('approver'), { mode: 0o600 });
  writeFileSync(join(env.dir, 'cluster.lisp'), SMALL_CONFIG);
  const cli = (argv: string[]) => runInProcess(argv, { env: cleanEnv({ SLOTH_SERVER: server.url }), cwd: env.dir });

  const created = await cli(['jobs', 'create', 'deploy', 'jobs-small', '-c', 'cluster.lisp', '-m', 'from the CLI', '--token-file', 'operator.token', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  const follow = cli(['jobs', 'logs', id, '--follow', '--token-file', 'operator.token']);
  await waitFor(server.jobs, id, ['awaiting_approval']);
  const notAllowed = await cli(['jobs', 'approve', id, '--token-file', 'operator.token']);
  assert.equal(notAllowed.code, 1);
  assert.match(notAllowed.stderr, /needs the approver role/);
  const shown = await cli(['jobs', 'show', id, '--token-file', 'operator.token']);
  assert.match(shown.stdout, /awaiting_approval/);
  assert.match(shown.stdout, /pauseBetweenPreviewAndUpdate=true \(stack jobs-small\)/);
  assert.match(shown.stdout, /Plan: \d+ to create/);
  const approved = await cli(['jobs', 'approve', id, '--comment', 'ship it', '--token-file', 'approver.token']);
  assert.equal(approved.code, 0, approved.stderr);
  const followed = await follow;
  assert.equal(followed.code, 0, followed.stderr);
  assert.match(followed.stdout, /\[awaiting_approval\] Do you want to deploy/);
  assert.match(followed.stdout, /approved by token:approver-\w+: ship it/);
  assert.match(followed.stdout, /create .*done/);
  assert.match(followed.stdout, /Job sj_\w+ succeeded/);
  const after = await cli(['jobs', 'show', id, '--token-file', 'operator.token']);
  assert.match(after.stdout, /succeeded/);
  assert.match(after.stdout, /Outputs:\n(.|\n)*kubeConfig: \[secret\]/);
  const listed = await cli(['jobs', 'list', '--stack', 'jobs-small', '--status', 'succeeded', '--token-file', 'operator.token']);
  assert.match(listed.stdout, new RegExp(id));
  assert.equal(`${followed.stdout}${after.stdout}`.includes(DO_TOKEN), false);
});
