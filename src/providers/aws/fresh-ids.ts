// EC2 is eventually consistent: an id a create has just returned may be unknown to the next
// call for a few seconds (a subnet in a VPC made a moment ago, an instance in a group just
// created). Such a `…NotFound` clears by itself and is worth retrying. The same error for an id
// the user wrote (an existing VPC) or one made long ago means the object does not exist:
// retrying it only delays the error. So the EC2 client remembers the ids its creates returned
// (a middleware on its stack), and a NotFound naming one of them is marked as passing.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { errorCode, EVENTUAL_NOT_FOUND, markEventuallyConsistent } from './errors.ts';

/** How long after its create an id may still be unknown to EC2 (AWS says seconds; margin kept). */
export const FRESH_MS = 5 * 60_000;

/** An EC2 id as the API writes it (vpc-…, subnet-…, sg-…, i-…, key-…). */
const EC2_ID = /^[a-z]+(-[a-z]+)?-[0-9a-f]{8,17}$/;

/** Ids this client's creates returned, with when. */
export class FreshIds {
  readonly #made = new Map<string, number>();
  readonly #now: () => number;
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  note(ids: Iterable<string>): void {
    const t = this.#now();
    for (const id of ids) this.#made.set(id, t);
  }

  /** Whether `text` (an AWS error message) names an id created less than FRESH_MS ago. */
  mentionedIn(text: string): boolean {
    const now = this.#now();
    for (const [id, t] of this.#made) {
      if (now - t > FRESH_MS) this.#made.delete(id);
      else if (text.includes(id)) return true;
    }
    return false;
  }
}

/** The ids (and key pair names) in a create's answer: every `…Id` that looks like an EC2 id. */
export function createdIds(output: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === 'string' && ((k.endsWith('Id') && EC2_ID.test(x)) || k === 'KeyName')) out.push(x);
      else walk(x, depth + 1);
    }
  };
  walk(output, 0);
  return out;
}

const CREATES = /^(Create|Run|Import|Allocate|Copy)/;

/** Adds the middleware that fills `fresh` from creates and marks NotFounds of fresh ids. */
export function trackFreshIds(ec2: EC2Client, fresh: FreshIds): void {
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        const result = await next(args);
        const command = (context as { commandName?: string }).commandName ?? '';
        if (CREATES.test(command)) fresh.note(createdIds(result.output));
        return result;
      } catch (err) {
        if (EVENTUAL_NOT_FOUND.has(errorCode(err)) && fresh.mentionedIn(String((err as Error)?.message ?? ''))) markEventuallyConsistent(err);
        throw err;
      }
    },
    { step: 'initialize', name: 'slothFreshIds', override: true },
  );
}
