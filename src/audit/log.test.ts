// The audit log on a real file backend with a real passphrase-encrypted stack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStateStore } from '../state/index.ts';
import type { StateStore, StackAttachments } from '../state/index.ts';
import { AuditLog, AuditError, batchName, IMPORTED_META, PRUNE_META } from './log.ts';
import type { StoredBatch } from './log.ts';
import { open as openBox, seal } from './sealed-box.ts';
import type { AuditEvent } from './types.ts';

let dir: string;
let store: StateStore;
const PW = 'audit-test-passphrase';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
  store = await openStateStore({ env: {}, homedir: dir, cwd: dir, backendUrl: `file://${dir}/state` });
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function stack(): Promise<{ name: string; sealed: StackAttachments; raw: StackAttachments; path: (seq: number) => string }> {
  const name = `s${++n}`;
  await store.createStack(name, { passphrase: PW });
  const opened = await store.openStack(name, { passphrase: async () => PW });
  return { name, sealed: opened.attachments, raw: store.attachments(name), path: (seq) => join(dir, 'state', opened.attachments.key(batchName(seq))) };
}

const event = (i: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: randomUUID(),
  timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  type: 'deployment',
  action: 'apply',
  severity: 'info',
  resourceId: 'c',
  resourceType: 'stack',
  actor: 'alice@host',
  description: `event ${i}`,
  metadata: {},
  correlationId: 'corr',
  durationMs: 5,
  success: true,
  ...over,
});

test('appends chain; concurrent appenders never fork it; everything reads back and verifies', async () => {
  const s = await stack();
  const log = new AuditLog(s.sealed);
  await log.append([event(0)]);
  // 12 writers at once, each its own log object (as separate commands would be).
  await Promise.all(Array.from({ length: 12 }, (_, i) => new AuditLog(s.sealed).append([event(i + 1), event(i + 100)])));
  const { batches, unreadable } = await log.read();
  assert.deepEqual(unreadable, []);
  assert.deepEqual(batches.map((b) => b.seq), Array.from({ length: 13 }, (_, i) => i));
  for (let i = 1; i < batches.length; i++) assert.equal(batches[i]!.prev, batches[i - 1]!.hash);
  assert.equal(batches.flatMap((b) => b.events).length, 25);
  const report = await log.verify(await log.anchor());
  assert.equal(report.ok, true, report.problems.join('; '));
  assert.deepEqual([report.batches, report.events, report.unauthenticated], [13, 25, []]);
});

test('without the stack’s secrets: appends need the key made earlier, are sealed but unauthenticated, and cannot be read', async () => {
  const s = await stack();
  await assert.rejects(new AuditLog(s.raw).append([event(0)]), (err: AuditError) => err.code === 'no-key');
  await new AuditLog(s.sealed).append([event(0)]);
  await new AuditLog(s.raw).append([event(1, { action: 'unlock', type: 'state' })]);
  await assert.rejects(new AuditLog(s.raw).read(), /needs its secrets/);
  const text = readFileSync(s.path(1), 'utf8');
  assert.doesNotMatch(text, /unlock|alice/, 'events are sealed');
  const report = await new AuditLog(s.sealed).verify();
  assert.equal(report.ok, true);
  assert.deepEqual(report.unauthenticated, [1]);
});

test('verify detects an edited batch, a deleted event (re-sealed and re-authenticated), a deleted batch and a cut tail', async () => {
  const s = await stack();
  const log = new AuditLog(s.sealed);
  for (let i = 0; i < 5; i++) await log.append([event(i * 2), event(i * 2 + 1)]);
  const anchor = (await log.anchor())!;
  assert.equal((await log.verify(anchor)).ok, true);

  // 1. A byte of batch 1's ciphertext changed.
  const original1 = readFileSync(s.path(1), 'utf8');
  const b1 = JSON.parse(original1) as StoredBatch;
  const ct = Buffer.from(b1.sealed.ct, 'base64');
  ct[3] = ct[3]! ^ 0x01;
  writeFileSync(s.path(1), JSON.stringify({ ...b1, sealed: { ...b1.sealed, ct: ct.toString('base64') } }));
  let r = await log.verify(anchor);
  assert.equal(r.ok, false);
  assert.ok(r.problems.some((p) => /batch 1 cannot be opened/.test(p)), r.problems.join('; '));
  assert.ok(r.problems.some((p) => /batch 2 does not name batch 1/.test(p)), r.problems.join('; '));
  writeFileSync(s.path(1), original1);
  assert.equal((await log.verify(anchor)).ok, true);

  // 2. One event removed from batch 2 by someone holding every key: sealed and authenticated again.
  const original2 = readFileSync(s.path(2), 'utf8');
  const b2 = JSON.parse(original2) as StoredBatch;
  const keys = await log.keyPair();
  const inner = JSON.parse(openBox(keys, b2.sealed)!) as { seq: number; prev: string; events: AuditEvent[] };
  inner.events.splice(0, 1);
  const forged: Omit<StoredBatch, 'auth'> = { ...b2, count: inner.events.length, sealed: seal(keys.publicKey, JSON.stringify(inner)) };
  const { createHash } = await import('node:crypto');
  const digest = createHash('sha256').update(`sloth-audit-v${forged.version}\n${forged.seq}\n${forged.prev}\n${forged.writtenAt}\n${forged.count}\n${forged.key}\n${JSON.stringify(forged.sealed)}`).digest('hex');
  writeFileSync(s.path(2), JSON.stringify({ ...forged, auth: s.sealed.sealer.encrypt(digest) }));
  r = await log.verify(anchor);
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems, ['batch 3 does not name batch 2 as its predecessor: batch 2 was changed or replaced']);
  writeFileSync(s.path(2), original2);

  // 3. A whole batch deleted from the middle.
  const original3 = readFileSync(s.path(3), 'utf8');
  unlinkSync(s.path(3));
  r = await log.verify(anchor);
  assert.deepEqual(r.problems, ['batch 3 is missing (deleted)']);
  writeFileSync(s.path(3), original3);

  // 4. The newest batch deleted: only the anchor in the checkpoint can tell.
  unlinkSync(s.path(4));
  assert.equal((await log.verify()).ok, true, 'without an anchor a cut tail is invisible');
  r = await log.verify(anchor);
  assert.deepEqual(r.problems, ["batch 4, anchored in the stack's checkpoint, is missing: batches were removed from the end of the log"]);
});

test('prune removes the oldest whole batches, records itself first, and the chain still verifies from the prune point', async () => {
  const s = await stack();
  const log = new AuditLog(s.sealed);
  for (let i = 0; i < 4; i++) await log.append([event(i)]);
  const batches = (await log.read()).batches;
  // Batches are written now; prune everything older than the future except the last one.
  const r = await log.prune(new Date(Date.now() + 60_000), async (through, hash, count, events) => {
    assert.deepEqual([through, hash, count, events], [2, batches[2]!.hash, 3, 3]);
    await log.append([event(99, { type: 'state', action: 'prune', metadata: { [PRUNE_META.through]: String(through), [PRUNE_META.hash]: hash } })]);
  });
  assert.deepEqual(r, { batches: 3, events: 3 });
  const after = await log.read();
  assert.deepEqual(after.batches.map((b) => b.seq), [3, 4]);
  const report = await log.verify();
  assert.equal(report.ok, true, report.problems.join('; '));
  assert.deepEqual([report.first, report.last], [3, 4]);
  // A deletion below the prune point that the prune did not record is still a gap.
  unlinkSync(s.path(3));
  assert.deepEqual((await log.verify()).problems, ['batch 3 is missing (deleted)']);
});

test('only a prune recorded with the stack’s secrets moves the chain’s start: an unauthenticated or imported claim is not one; the anchor’s prune point is', async () => {
  const s = await stack();
  const log = new AuditLog(s.sealed);
  for (let i = 0; i < 4; i++) await log.append([event(i)]);
  const hash3 = (await log.read()).batches[3]!.hash;
  const claim = (over: Record<string, string> = {}) => event(50, { type: 'state', action: 'prune', metadata: { [PRUNE_META.through]: '3', [PRUNE_META.hash]: hash3, ...over } });

  // Appended with the public key only, then batches 0–3 deleted.
  await new AuditLog(s.raw).append([claim()]);
  const originals = [0, 1, 2, 3].map((seq) => readFileSync(s.path(seq)));
  for (let seq = 0; seq <= 3; seq++) unlinkSync(s.path(seq));
  let r = await log.verify();
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems, [
    "batch 4 claims a prune through batch 3 but was appended without the stack's secrets (`audit prune` always holds them): a forged prune",
    'batches 0–3 are missing (deleted)',
  ]);
  originals.forEach((bytes, seq) => writeFileSync(s.path(seq), bytes));

  // Authenticated, but imported from elsewhere: history, not a prune of this log.
  await log.append([claim({ [IMPORTED_META]: '/tmp/export.json' })]);
  for (let seq = 0; seq <= 3; seq++) unlinkSync(s.path(seq));
  r = await log.verify();
  assert.ok(r.problems.includes('batches 0–3 are missing (deleted)'), r.problems.join('; '));
  originals.forEach((bytes, seq) => writeFileSync(s.path(seq), bytes));

  // The anchor written by a prune (which holds the secrets) is a starting point; without it, the same deletion is a gap.
  const head = (await log.anchor())!;
  const batches = (await log.read()).batches;
  const anchored = { ...head, pruned: { through: 3, hash: batches[3]!.hash } };
  for (let seq = 0; seq <= 3; seq++) unlinkSync(s.path(seq));
  r = await log.verify(anchored);
  assert.deepEqual(r.problems.filter((p) => !/forged prune/.test(p)), []);
  assert.deepEqual([r.first, r.last], [4, 5]);
  assert.ok((await log.verify(head)).problems.includes('batches 0–3 are missing (deleted)'));
  // A prune point whose hash is not the removed batch's does not splice.
  r = await log.verify({ ...head, pruned: { through: 3, hash: 'f'.repeat(64) } });
  assert.ok(r.problems.includes('batch 4 does not follow the pruned batch 3 (hash mismatch)'), r.problems.join('; '));
});
