// The wait for a held delete, on its own: what holds the object decides whether the wait ends
// at the bound (something the stack does not track) or goes on (interfaces AWS releases by
// itself, such as a deleted load balancer's). AWS itself is in resources.test.ts (moto).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsCallError } from '../errors.ts';
import { deleteWhenFree } from './dependents.ts';
import type { Dependent } from './dependents.ts';

const held = () => new AwsCallError('DeleteSubnet', { name: 'DependencyViolation', message: "The subnet 'subnet-1' has dependencies and cannot be deleted." });

function context(log: string[]) {
  const ctx = { client: { waitNoticeMs: 40, maxWaitMs: 150 }, signal: new AbortController().signal, log: (m: string) => log.push(m) };
  return ctx as unknown as Parameters<typeof deleteWhenFree>[0];
}

test('interfaces AWS releases by itself keep the wait going past the bound, saying so; then the delete goes through', async () => {
  const log: string[] = [];
  const started = Date.now();
  let tries = 0;
  const elb: Dependent = { kind: 'network interface', id: 'eni-1', name: 'ELB net/api/abc', clearing: true };
  await deleteWhenFree(context(log), {
    what: "subnet 'a' (subnet-1)",
    held: 'is still used by',
    attempt: async () => {
      tries++;
      if (Date.now() - started < 400) throw held();
    },
    dependents: async () => [elb],
  });
  assert.ok(Date.now() - started >= 400 && tries > 2);
  assert.ok(log.some((l) => /AWS releases what holds it by itself\): it is still used by network interface eni-1 \('ELB net\/api\/abc'\)/.test(l)), log.join('\n'));
});

test('anything else holding it ends the wait at the bound with what to do', async () => {
  const log: string[] = [];
  await assert.rejects(
    deleteWhenFree(context(log), {
      what: "subnet 'a' (subnet-1)",
      held: 'is still used by',
      attempt: async () => {
        throw held();
      },
      dependents: async () => [
        { kind: 'network interface', id: 'eni-1', name: 'ELB net/api/abc', clearing: true },
        { kind: 'instance', id: 'i-1', name: 'made-by-hand' },
      ],
    }),
    /subnet 'a' \(subnet-1\) is still used by network interface eni-1 \('ELB net\/api\/abc'\), instance i-1 \('made-by-hand'\) after \d+s; .*Delete them or move them elsewhere/,
  );
});
