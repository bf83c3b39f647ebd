// The audit log through the CLI: what the stacks commands record (with and without the
// passphrase, failed unlocks included), tampering found by `audit verify`, and export,
// import, prune and the filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, batchName, open as openBox, PRUNE_META, seal } from '../../audit/index.ts';
import type { AuditEvent, StoredBatch } from '../../audit/index.ts';
import { openStateStore, reveal } from '../../state/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { FileCloud } from '../../../test/provider/file-cloud.ts';
import { HistoryEnv, PASSPHRASE } from '../history/testing.ts';

const seeds = join(import.meta.dirname, '../../../test/fixtures/config/seeds');
let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

test('stacks commands are on record: create, secret reads and exports, import, cancel and delete without a passphrase, a failed unlock; a re-created stack starts a new log', async () => {
  const e = new HistoryEnv(undefined);
  try {
    const noPw = { PULUMI_CONFIG_PASSPHRASE: undefined };
    assert.equal((await e.run(['stacks', 'create', 'ops'])).code, 0);
    assert.equal((await e.run(['stacks', 'output', 'ops', '--show-secrets'])).code, 0);
    assert.equal((await e.run(['stacks', 'export', 'ops', '--file', 'ops.json'])).code, 0);
    assert.equal((await e.run(['stacks', 'export', 'ops', '--show-secrets', '--file', 'ops-secrets.json'])).code, 0);
    assert.equal((await e.run(['stacks', 'import', 'ops', 'ops.json'])).code, 0);
    const cancel = await e.run(['stacks', 'cancel', 'ops'], { env: noPw });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(cancel.stderr, '');
    const wrong = await e.run(['stacks', 'output', 'ops', '--show-secrets'], { env: { PULUMI_CONFIG_PASSPHRASE: 'not-the-passphrase' } });
    assert.equal(wrong.code, 1);
    let rec = await e.records('ops');
    assert.deepEqual(
      rec.events.map((x) => [x.metadata.command, x.type, x.action, x.success]),
      [
        ['stacks create', 'state', 'create', true],
        ['stacks output', 'state', 'read', true],
        ['stacks export', 'state', 'export', true],
        ['stacks import', 'state', 'import', true],
        ['stacks cancel', 'state', 'unlock', true],
        ['stacks output', 'error', 'read', false],
        ['stacks output', 'state', 'read', false],
      ],
    );
    // The error is an event of its own, linked to the command's by the correlation id.
    const [error, failed] = [rec.events[5]!, rec.events[6]!];
    assert.match(error.errorMessage!, /passphrase/);
    assert.deepEqual([error.severity, error.correlationId, error.resourceId], ['error', failed.correlationId, 'ops']);
    assert.match(error.description, /^stacks output failed: /);
    assert.match(failed.errorMessage!, /passphrase/);
    assert.doesNotMatch(JSON.stringify(rec.events), /not-the-passphrase/);
    assert.equal(rec.events[2]!.severity, 'warning');
    assert.deepEqual(rec.verify.unauthenticated, [4, 5], 'appended without the stack’s secrets');
    assert.ok(rec.verify.ok);
    const verify = await e.run(['audit', 'verify', 'ops']);
    assert.match(verify.stdout, /note: 2 batch\(es\) were appended without the stack's secrets \(stacks cancel\/delete\): 4, 5/);

    // Delete without a passphrase: on record; the log stays, and a new stack of that name starts afresh.
    const del = await e.run(['stacks', 'delete', 'ops', '--yes'], { env: noPw });
    assert.equal(del.code, 0, del.stderr);
    assert.equal((await e.run(['stacks', 'create', 'ops'])).code, 0);
    const archive = join(e.dir, 'state', '.pulumi', 'sloth-archive', 'sloth-kubernetes');
    assert.ok(existsSync(archive));
    const [old] = readdirSync(archive);
    assert.match(old!, /^ops-\d{19}$/);
    assert.equal(readdirSync(join(archive, old!, 'audit', 'batches')).length, 8, 'the old log, delete and verify included');
    rec = await e.records('ops');
    assert.equal(rec.events.length, 1);
    assert.match(rec.events[0]!.description, /created .*the records of an earlier stack 'ops' were archived/);
  } finally {
    e.cleanup();
  }
});

test("a create interrupted before it moved an earlier stack's records aside: reading them says so, and the same create finishes the job; nothing else is taken over", async () => {
  const e = new HistoryEnv(undefined);
  try {
    const second = { PULUMI_CONFIG_PASSPHRASE: 'the-second-stack-passphrase' };
    assert.equal((await e.run(['stacks', 'create', 'ops'])).code, 0);
    assert.equal((await e.run(['stacks', 'output', 'ops', '--show-secrets'])).code, 0);
    assert.equal((await e.run(['stacks', 'delete', 'ops', '--yes'])).code, 0);
    // What a create stopped between its two writes left (as versions that created first did).
    const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
    await store.createStack('ops', { passphrase: second.PULUMI_CONFIG_PASSPHRASE });
    store.close();

    const list = await e.run(['audit', 'list', 'ops'], { env: second });
    assert.equal(list.code, 1);
    assert.match(list.stderr, /the audit key of stack 'ops' \(.*audit\/key\.json\) does not open with the secrets of stack 'ops': it was written under another key/);
    assert.match(list.stderr, /stacks create ops` was interrupted[\s\S]*run it again with the same passphrase/);

    const other = await e.run(['stacks', 'create', 'ops'], { env: { PULUMI_CONFIG_PASSPHRASE: 'a-third-passphrase' } });
    assert.equal(other.code, 1, 'a passphrase that does not open the stack takes nothing over');
    assert.match(other.stderr, /already exists/);

    const again = await e.run(['stacks', 'create', 'ops'], { env: second });
    assert.equal(again.code, 0, again.stderr);
    const archive = join(e.dir, 'state', '.pulumi', 'sloth-archive', 'sloth-kubernetes');
    assert.equal(readdirSync(archive).length, 1, "the earlier stack's records moved aside");
    const listed = await e.run(['audit', 'list', 'ops', '--json'], { env: second });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /existed, left by an interrupted create/);
    assert.equal((await e.run(['audit', 'verify', 'ops'], { env: second })).code, 0);

    const third = await e.run(['stacks', 'create', 'ops'], { env: second });
    assert.equal(third.code, 1, 'a stack in order is not created twice');
    assert.match(third.stderr, /already exists/);
  } finally {
    e.cleanup();
  }
});

test('an interrupted create is also recognised by the snapshots an earlier stack left when its audit log is gone', async () => {
  const e = new HistoryEnv(undefined);
  try {
    const second = { PULUMI_CONFIG_PASSPHRASE: 'the-second-stack-passphrase' };
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', join(seeds, 'development.lisp'), '--yes'])).code, 0);
    assert.equal((await e.run(['destroy', 'dev-cluster', '--yes'])).code, 0);
    assert.equal((await e.run(['stacks', 'delete', 'dev-cluster', '--yes'])).code, 0);
    const records = join(e.dir, 'state', '.pulumi', 'sloth', 'sloth-kubernetes', 'dev-cluster');
    rmSync(join(records, 'audit'), { recursive: true });
    assert.ok(readdirSync(join(records, 'snapshots')).length > 0);
    const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
    await store.createStack('dev-cluster', { passphrase: second.PULUMI_CONFIG_PASSPHRASE });
    store.close();

    const history = await e.run(['snapshots', 'list', 'dev-cluster'], { env: second });
    assert.equal(history.code, 1);
    assert.match(history.stderr, /snapshots\/.* does not open with the secrets of stack 'dev-cluster'/);
    const again = await e.run(['stacks', 'create', 'dev-cluster'], { env: second });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /existed, left by an interrupted create; that create is finished now.\nThe records of an earlier stack .dev-cluster. \(history, snapshots, audit log\) were moved to \S*sloth-archive/);
    const listed = await e.run(['snapshots', 'list', 'dev-cluster'], { env: second });
    assert.equal(listed.code, 0, listed.stderr);
  } finally {
    e.cleanup();
  }
});

test('audit verify finds an edited batch and a deleted event; export, prune and import keep the chain verifiable; filters', async () => {
  const e = new HistoryEnv(undefined);
  try {
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', join(seeds, 'development.lisp'), '--yes'])).code, 0);
    assert.equal((await e.run(['refresh', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['--actor', 'carol', 'stacks', 'output', 'dev-cluster', '--show-secrets'])).code, 0);
    const exported = await e.run(['audit', 'export', 'dev-cluster', '--output', 'audit.json']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);

    const batchPath = (seq: number) => join(e.dir, 'state', '.pulumi', 'sloth', 'sloth-kubernetes', 'dev-cluster', batchName(seq));
    // An edited batch.
    const original = readFileSync(batchPath(1), 'utf8');
    writeFileSync(batchPath(1), original.replace(/"writtenAt":"[^"]+"/, '"writtenAt":"2020-01-01T00:00:00.000Z"'));
    let v = await e.run(['audit', 'verify', 'dev-cluster']);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /✗ The audit log of stack 'dev-cluster' has been tampered with or damaged\n[\s\S]*problem: batch 1 fails authentication with the stack's secrets \(edited\)/);
    writeFileSync(batchPath(1), original);

    // A deleted event, by someone with every key: sealed and authenticated again, the chain breaks after it.
    const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
    try {
      const stack = await store.openStack('dev-cluster', { passphrase: async () => PASSPHRASE });
      const keys = await new AuditLog(stack.attachments).keyPair();
      const b = JSON.parse(readFileSync(batchPath(1), 'utf8')) as StoredBatch;
      const inner = JSON.parse(openBox(keys, b.sealed)!) as { seq: number; prev: string; events: AuditEvent[] };
      assert.ok(inner.events.length > 1);
      inner.events.pop();
      const forged = { ...b, count: inner.events.length, sealed: seal(keys.publicKey, JSON.stringify(inner)) };
      delete forged.auth;
      const digest = createHash('sha256').update(`sloth-audit-v${forged.version}\n${forged.seq}\n${forged.prev}\n${forged.writtenAt}\n${forged.count}\n${forged.key}\n${JSON.stringify(forged.sealed)}`).digest('hex');
      writeFileSync(batchPath(1), JSON.stringify({ ...forged, auth: stack.attachments.sealer.encrypt(digest) }));
    } finally {
      store.close();
    }
    v = await e.run(['audit', 'verify', 'dev-cluster', '--json']);
    assert.equal(v.code, 1);
    assert.deepEqual((JSON.parse(v.stdout) as { problems: string[] }).problems, ['batch 2 does not name batch 1 as its predecessor: batch 1 was changed or replaced']);
    writeFileSync(batchPath(1), original);
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);

    // Filters.
    const all = JSON.parse((await e.run(['audit', 'dev-cluster', '--json'])).stdout) as AuditEvent[];
    assert.deepEqual(JSON.parse((await e.run(['audit', 'dev-cluster', '--actor', 'carol', '--json'])).stdout).map((x: AuditEvent) => x.action), ['read']);
    assert.deepEqual(JSON.parse((await e.run(['audit', 'list', 'dev-cluster', '--actor', 'carol', '--json'])).stdout).map((x: AuditEvent) => x.action), ['read']);
    // --actor is one of the filters in their help, laid out with the others (not a line after them).
    for (const sub of ['list', 'summary', 'export']) {
      const help = (await e.run(['audit', sub, '--help'])).stdout;
      const options = help.slice(help.indexOf('Options:'));
      assert.match(options, /\n {2}--failed +only failures\n {2}--actor <actor> +only events by this actor/, `audit ${sub} --help`);
      assert.doesNotMatch(help.slice(help.indexOf('-h, --help')), /--actor/, `audit ${sub} --help: nothing after the options`);
    }
    assert.deepEqual(JSON.parse((await e.run(['audit', 'dev-cluster', '--type', 'state', '--action', 'refresh', '--json'])).stdout).map((x: AuditEvent) => x.metadata.command), ['refresh']);
    assert.equal(JSON.parse((await e.run(['audit', 'dev-cluster', '--since', '1h', '--limit', '2', '--json'])).stdout).length, 2);
    assert.equal(JSON.parse((await e.run(['audit', 'dev-cluster', '--until', '2020-01-01', '--json'])).stdout).length, 0);
    const cor = all.find((x) => x.metadata.command === 'deploy')!.correlationId;
    assert.ok(JSON.parse((await e.run(['audit', 'dev-cluster', '--correlation', cor, '--json'])).stdout).every((x: AuditEvent) => x.correlationId === cor));
    const bad = await e.run(['audit', 'dev-cluster', '--since', 'yesterday-ish']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--since 'yesterday-ish' is not a date/);
    assert.match((await e.run(['audit', 'dev-cluster', '--type', 'nope'])).stderr, /unknown event type 'nope'\nTypes: deployment, configuration/);
    const summary = await e.run(['audit', 'summary', 'dev-cluster']);
    // The two verifications that found tampering are on record, as critical failures, each with its error.
    assert.match(summary.stdout, /^Audit summary of stack 'dev-cluster'\nEvents: \d+; operations: \d+ succeeded, 2 failed\n/);
    assert.match(summary.stdout, /By type: .*error 2/);
    assert.match(summary.stdout, /By severity: info \d+, error 2, critical 2/);
    assert.deepEqual(
      all.filter((x) => x.type === 'error').map((x) => [x.metadata.command, x.action, x.severity, x.errorMessage]),
      [['audit verify', 'validate', 'error', 'the audit log failed verification (2 problems)'], ['audit verify', 'validate', 'error', 'the audit log failed verification (1 problem)']],
    );
    assert.equal(JSON.parse((await e.run(['audit', 'dev-cluster', '--type', 'error', '--json'])).stdout).length, 2, 'the error type filters');
    assert.match(summary.stdout, /Top actors: tester@[^ ]+ \(\d+\), carol \(1\)/);

    // Prune everything but the last batch: needs --yes without a terminal; recorded; still verifiable.
    const refused = await e.run(['audit', 'prune', 'dev-cluster', '--before', '2999-01-01']);
    assert.match(refused.stderr, /needs confirmation; pass --yes/);
    const pruned = await e.run(['audit', 'prune', 'dev-cluster', '--before', '2999-01-01', '--yes']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /✓ Pruned \d+ event\(s\) in \d+ batch\(es\)/);
    v = await e.run(['audit', 'verify', 'dev-cluster', '--json']);
    assert.equal(v.code, 0, v.stdout);
    const after = JSON.parse((await e.run(['audit', 'dev-cluster', '--json'])).stdout) as AuditEvent[];
    assert.ok(after.length < all.length);
    assert.ok(after.some((x) => x.action === 'prune' && x.metadata.prunedThroughSeq !== undefined));

    // The export brings the pruned events back (by id); a second import adds nothing.
    const imp = await e.run(['audit', 'import', 'dev-cluster', 'audit.json']);
    assert.equal(imp.code, 0, imp.stderr);
    const n = Number(/Imported (\d+) event/.exec(imp.stdout)![1]);
    assert.ok(n > 0);
    assert.match((await e.run(['audit', 'import', 'dev-cluster', 'audit.json'])).stdout, /Imported 0 event\(s\) \(\d+ already in the log\)/);
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);
    writeFileSync(join(e.dir, 'junk.json'), '{"format":"other"}');
    assert.match((await e.run(['audit', 'import', 'dev-cluster', 'junk.json'])).stderr, /is not an audit export/);
  } finally {
    e.cleanup();
  }
});

test('a forged prune cannot erase the log: an unauthenticated prune batch, a prune smuggled in by import, and a removed log all fail verify; unauthenticated events are marked', async () => {
  const e = new HistoryEnv(undefined);
  try {
    const stackDir = join(e.dir, 'state', '.pulumi', 'sloth', 'sloth-kubernetes', 'dev-cluster');
    const batchPath = (seq: number) => join(stackDir, batchName(seq));
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', join(seeds, 'development.lisp'), '--yes'])).code, 0);
    assert.equal((await e.run(['stacks', 'output', 'dev-cluster', '--show-secrets'])).code, 0);
    assert.equal((await e.run(['audit', 'export', 'dev-cluster', '--output', 'audit.json'])).code, 0);
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);
    const saved = new Map(readdirSync(join(stackDir, 'audit', 'batches')).map((f) => [f, readFileSync(join(stackDir, 'audit', 'batches', f))]));
    const restore = () => {
      for (const f of readdirSync(join(stackDir, 'audit', 'batches'))) if (!saved.has(f)) rmSync(join(stackDir, 'audit', 'batches', f));
      for (const [f, bytes] of saved) writeFileSync(join(stackDir, 'audit', 'batches', f), bytes);
    };
    const fakePrune = (through: number): AuditEvent => ({
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      type: 'state',
      action: 'prune',
      severity: 'warning',
      resourceId: 'dev-cluster',
      resourceType: 'audit-log',
      actor: 'mallory',
      description: 'Pruned',
      metadata: { [PRUNE_META.through]: String(through), [PRUNE_META.hash]: createHash('sha256').update(readFileSync(batchPath(through))).digest('hex') },
      correlationId: randomUUID(),
      durationMs: 0,
      success: true,
    });

    // 1. A script with backend access only: one unsigned batch claiming a prune through batch 3, then batches 0–3 deleted.
    const store = await openStateStore({ env: { ...e.env, PULUMI_CONFIG_PASSPHRASE: undefined }, homedir: e.dir, cwd: e.dir });
    try {
      await new AuditLog(store.attachments('dev-cluster')).append([fakePrune(3)]);
    } finally {
      store.close();
    }
    const list = await e.run(['audit', 'dev-cluster']);
    assert.match(list.stdout, /\[unauthenticated\] Pruned\n/);
    assert.match(list.stdout, /\n\[unauthenticated\]: 1 event\(s\) appended without the stack's secrets/);
    const listed = JSON.parse((await e.run(['audit', 'dev-cluster', '--json'])).stdout) as (AuditEvent & { authenticated: boolean })[];
    assert.deepEqual(listed.filter((x) => !x.authenticated).map((x) => x.actor), ['mallory']);
    assert.ok(listed.filter((x) => x.actor !== 'mallory').every((x) => x.authenticated === true));
    assert.match((await e.run(['audit', 'summary', 'dev-cluster'])).stdout, /\nUnauthenticated: 1 \(appended without the stack's secrets/);
    assert.equal(JSON.parse((await e.run(['audit', 'summary', 'dev-cluster', '--json'])).stdout).unauthenticatedEvents, 1);
    const exported = JSON.parse((await e.run(['audit', 'export', 'dev-cluster'])).stdout) as { events: (AuditEvent & { authenticated: boolean })[] };
    assert.equal(exported.events.find((x) => x.actor === 'mallory')!.authenticated, false);
    for (let seq = 0; seq <= 3; seq++) rmSync(batchPath(seq));
    let v = await e.run(['audit', 'verify', 'dev-cluster', '--json']);
    assert.equal(v.code, 1, v.stdout);
    let problems = (JSON.parse(v.stdout) as { problems: string[] }).problems;
    assert.ok(problems.some((p) => /claims a prune through batch 3 but was appended without the stack's secrets .* a forged prune/.test(p)), problems.join('\n'));
    assert.ok(problems.includes('batches 0–3 are missing (deleted)'), problems.join('\n'));
    restore();

    // 2. The same claim brought in through `audit import` (an authenticated batch): stripped, and never a prune point.
    const doc = JSON.parse(readFileSync(join(e.dir, 'audit.json'), 'utf8')) as { events: AuditEvent[] };
    doc.events.push(fakePrune(3));
    writeFileSync(join(e.dir, 'tricked.json'), JSON.stringify(doc));
    const imp = await e.run(['audit', 'import', 'dev-cluster', 'tricked.json']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /Imported 1 event\(s\)/);
    const imported = (await e.records('dev-cluster')).events.find((x) => x.actor === 'mallory')!;
    assert.equal(imported.metadata[PRUNE_META.through], undefined);
    assert.equal(imported.metadata.importedFrom, join(e.dir, 'tricked.json'));
    for (let seq = 0; seq <= 3; seq++) rmSync(batchPath(seq));
    v = await e.run(['audit', 'verify', 'dev-cluster', '--json']);
    assert.equal(v.code, 1, v.stdout);
    problems = (JSON.parse(v.stdout) as { problems: string[] }).problems;
    assert.equal(problems[0], 'batches 0–3 are missing (deleted)');
    assert.ok(problems.some((p) => /anchored in the stack's checkpoint, is missing/.test(p)), problems.join('\n'));
    restore();
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);

    // 3. The whole log removed (key and batches): the checkpoint's anchor says there was one.
    const kept = join(e.dir, 'audit-kept');
    cpSync(join(stackDir, 'audit'), kept, { recursive: true });
    rmSync(join(stackDir, 'audit'), { recursive: true });
    v = await e.run(['audit', 'verify', 'dev-cluster']);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /problem: the stack's checkpoint anchors audit batch \d+ under key [0-9a-f]+, but the audit key \(audit\/key.json\) is gone: the log was removed/);
    rmSync(join(stackDir, 'audit'), { recursive: true, force: true });
    cpSync(kept, join(stackDir, 'audit'), { recursive: true });

    // 4. A genuine prune anchors its point in the checkpoint; cutting the log after it is still found.
    const pruned = await e.run(['audit', 'prune', 'dev-cluster', '--before', '2999-01-01', '--yes']);
    assert.equal(pruned.code, 0, pruned.stderr);
    const rec = await e.records('dev-cluster');
    const anchor = reveal(rec.outputs.auditIndex) as { seq: number; pruned: { through: number; hash: string } };
    assert.ok(anchor.pruned.through >= 3, JSON.stringify(anchor));
    assert.ok(anchor.seq > anchor.pruned.through, 'the anchor moved to the prune event');
    assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
    assert.equal((await e.run(['audit', 'verify', 'dev-cluster'])).code, 0);
    rmSync(batchPath(anchor.seq));
    v = await e.run(['audit', 'verify', 'dev-cluster', '--json']);
    assert.equal(v.code, 1);
    assert.ok((JSON.parse(v.stdout) as { problems: string[] }).problems.some((p) => p.includes(`batch ${anchor.seq}, anchored in the stack's checkpoint, is missing`)));
  } finally {
    e.cleanup();
  }
});

test('audit import takes each event id once: a file repeating an event imports it once and verify stays intact; one id with two contents is refused', async () => {
  const e = new HistoryEnv(undefined);
  try {
    assert.equal((await e.run(['stacks', 'create', 'ops'])).code, 0);
    assert.equal((await e.run(['stacks', 'create', 'other'])).code, 0);
    assert.equal((await e.run(['stacks', 'output', 'other', '--show-secrets'])).code, 0);
    assert.equal((await e.run(['audit', 'export', 'other', '--output', 'other.json'])).code, 0);
    const doc = JSON.parse(readFileSync(join(e.dir, 'other.json'), 'utf8')) as { events: AuditEvent[] };
    assert.equal(doc.events.length, 2);
    writeFileSync(join(e.dir, 'twice.json'), JSON.stringify({ ...doc, events: [...doc.events, doc.events[0]] }));
    const changed = { ...doc.events[0]!, description: 'edited' };
    writeFileSync(join(e.dir, 'clash.json'), JSON.stringify({ ...doc, events: [...doc.events, changed] }));

    const clash = await e.run(['audit', 'import', 'ops', 'clash.json']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /clash\.json: event 3 has the id [0-9a-f-]+ of an earlier event in the file, with other contents; nothing was imported/);
    const twice = await e.run(['audit', 'import', 'ops', 'twice.json']);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /✓ Imported 2 event\(s\) \(1 repeated in the file\)/);
    const rec = await e.records('ops');
    assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
    assert.equal(rec.events.filter((x) => x.id === doc.events[0]!.id).length, 1);
    assert.equal((await e.run(['audit', 'verify', 'ops'])).code, 0);
  } finally {
    e.cleanup();
  }
});

test('a failed deploy is one failure in the summary, and its reason of several lines is listed whole', async () => {
  const e = new HistoryEnv(undefined);
  try {
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    const reason = 'the droplet was refused:\n  size s-4vcpu-8gb is sold out in nyc3\n  try another region or size';
    new FileCloud(e.env.SLOTH_SIM_CLOUD!).setFaults({ 'dev-node-1': { create: { error: 'permanent', message: reason } } });
    const deploy = await e.run(['deploy', '--config', join(seeds, 'development.lisp'), '--yes']);
    assert.notEqual(deploy.code, 0);
    const events = JSON.parse((await e.run(['audit', 'dev-cluster', '--json'])).stdout) as AuditEvent[];
    const failed = events.filter((x) => !x.success);
    assert.deepEqual(failed.map((x) => x.type), ['error', 'deployment'], 'an error event for the step and the deploy itself');
    assert.equal(failed[0]!.errorMessage, reason);

    const summary = JSON.parse((await e.run(['audit', 'summary', 'dev-cluster', '--json'])).stdout) as { totalEvents: number; successCount: number; failureCount: number };
    assert.deepEqual([summary.successCount, summary.failureCount], [1, 1], 'stacks create succeeded, the deploy failed once');
    assert.match((await e.run(['audit', 'summary', 'dev-cluster'])).stdout, new RegExp(`\nEvents: ${summary.totalEvents}; operations: 1 succeeded, 1 failed\n`));

    const list = (await e.run(['audit', 'dev-cluster'])).stdout.split('\n');
    const row = list.findIndex((l) => /create of dev-node-1 failed: the droplet was refused:/.test(l));
    assert.ok(row > 0, list.join('\n'));
    assert.deepEqual(list.slice(row + 1, row + 3), ['      size s-4vcpu-8gb is sold out in nyc3', '      try another region or size']);
  } finally {
    e.cleanup();
  }
});
