// The audit log through the CLI: what the stacks commands record (with and without the
// passphrase, failed unlocks included), tampering found by `audit verify`, and export,
// import, prune and the filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, batchName, open as openBox, seal } from '../../audit/index.ts';
import type { AuditEvent, StoredBatch } from '../../audit/index.ts';
import { openStateStore } from '../../state/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
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
        ['stacks output', 'state', 'read', false],
      ],
    );
    assert.match(rec.events[5]!.errorMessage!, /passphrase/);
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
    // The two verifications that found tampering are on record, as critical failures.
    assert.match(summary.stdout, /^Audit summary of stack 'dev-cluster'\nEvents: \d+ \(\d+ succeeded, 2 failed\)/);
    assert.match(summary.stdout, /By severity: info \d+, critical 2/);
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
