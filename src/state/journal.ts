// The update journal. During an update every `record()` appends one small object under
// `.pulumi/journal/sloth-kubernetes/<stack>/<seq>.json` holding only the records it was
// given (secrets encrypted as in checkpoints), so the bytes written grow with the number of
// steps, not with steps × stack size as Pulumi's rewrite-the-checkpoint-per-step does.
// Each object names the checkpoint it applies to (`base`, the SHA-256 of its bytes): a
// reader replays the journal over exactly that checkpoint, and ignores a journal left
// behind by an update whose final checkpoint was written before the journal was deleted.
import { createHash } from 'node:crypto';
import type { JsonObject } from './checkpoint/resources.ts';
import type { JournalRecord, PendingOperation, ResourceState } from './types.ts';

export const JOURNAL_VERSION = 1;

export interface JournalObject {
  version: number;
  base: string;
  seq: number;
  records: JsonObject[];
}

export function checkpointHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface HasUrn {
  urn: string;
  delete?: boolean;
}

/** The part of a record that `applyRecords` needs, for raw (JSON) and decoded resources. */
export type AnyRecord<R extends HasUrn> =
  | { op: 'put'; resource: R }
  | { op: 'mark-delete'; urn: string }
  | { op: 'remove'; urn: string; deleted?: boolean }
  | { op: 'pending'; operation: { resource: R; type: string } }
  | { op: 'settle'; urn: string };

/**
 * A resource list and its pending operations, indexed by URN so that applying a record
 * costs O(1): an update of N steps applies N records in O(N), and the list is rebuilt only
 * when someone reads it. Works on raw JSON resources (replay, export) and on decoded ones
 * (the live update) alike.
 */
export class ResourceIndex<R extends HasUrn, P extends { resource: R; type: string }> {
  private slots: (R | undefined)[];
  private live = new Map<string, number>();
  private deleted = new Map<string, number[]>();
  /** Pending operations in the order they were recorded, and where each URN's are. */
  private ops = new Map<number, P>();
  private opsOf = new Map<string, number[]>();
  private opSeq = 0;
  private cache: { resources: R[]; pending: P[] } | undefined;

  constructor(resources: R[], pending: P[]) {
    this.slots = [...resources];
    this.slots.forEach((r, i) => this.index(r!, i));
    for (const p of pending) this.addOp(p);
  }

  private addOp(p: P): void {
    const n = this.opSeq++;
    this.ops.set(n, p);
    const list = this.opsOf.get(p.resource.urn);
    if (list) list.push(n);
    else this.opsOf.set(p.resource.urn, [n]);
  }

  private index(r: R, i: number): void {
    if (r.delete) {
      const list = this.deleted.get(r.urn);
      if (list) list.push(i);
      else this.deleted.set(r.urn, [i]);
    } else this.live.set(r.urn, i);
  }

  apply(records: AnyRecord<R>[]): void {
    this.cache = undefined;
    for (const rec of records) {
      switch (rec.op) {
        case 'put': {
          const at = rec.resource.delete ? undefined : this.live.get(rec.resource.urn);
          if (at === undefined) {
            this.slots.push(rec.resource);
            this.index(rec.resource, this.slots.length - 1);
          } else this.slots[at] = rec.resource;
          break;
        }
        case 'mark-delete': {
          const at = this.live.get(rec.urn);
          if (at === undefined) break;
          const r = { ...this.slots[at]!, delete: true };
          this.slots[at] = r;
          this.live.delete(rec.urn);
          this.index(r, at);
          break;
        }
        case 'remove': {
          const at = rec.deleted ? this.deleted.get(rec.urn)?.shift() : this.live.get(rec.urn);
          if (at === undefined) break;
          this.slots[at] = undefined;
          if (!rec.deleted) this.live.delete(rec.urn);
          break;
        }
        case 'pending':
          this.addOp(rec.operation as P);
          break;
        case 'settle':
          for (const n of this.opsOf.get(rec.urn) ?? []) this.ops.delete(n);
          this.opsOf.delete(rec.urn);
          break;
      }
    }
  }

  result(): { resources: R[]; pending: P[] } {
    this.cache ??= { resources: this.slots.filter((r): r is R => r !== undefined), pending: [...this.ops.values()] };
    return this.cache;
  }
}

export function isJournalRecord(v: unknown): v is JsonObject & { op: string } {
  return typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string';
}

export type { JournalRecord, PendingOperation, ResourceState };
