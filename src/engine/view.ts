// The engine's view of a stack during an operation: the live copy of each resource, the old
// halves of replacements (`delete: true`) and pending operations. Journal records are applied
// to it as they are written, with the same meaning the state layer gives them on replay.
import type { Deployment, JournalRecord, PendingOperation, ResourceState } from '../state/types.ts';
import { parseProviderRef } from './urn.ts';

export class StackView {
  readonly live = new Map<string, ResourceState>();
  readonly oldCopies = new Map<string, ResourceState[]>();
  readonly pending = new Map<string, PendingOperation>();

  static from(deployment: Deployment): StackView {
    const view = new StackView();
    for (const r of deployment.resources) {
      if (r.delete) view.#addOld(r);
      else view.live.set(r.urn, r);
    }
    for (const op of deployment.pendingOperations) view.pending.set(op.resource.urn, op);
    return view;
  }

  apply(records: readonly JournalRecord[]): void {
    for (const rec of records) {
      switch (rec.op) {
        case 'put':
          if (rec.resource.delete) this.#addOld(rec.resource);
          else this.live.set(rec.resource.urn, rec.resource);
          break;
        case 'mark-delete': {
          const r = this.live.get(rec.urn);
          if (r) {
            this.live.delete(rec.urn);
            this.#addOld({ ...r, delete: true });
          }
          break;
        }
        case 'remove':
          if (rec.deleted) {
            const list = this.oldCopies.get(rec.urn);
            list?.shift();
            if (list && list.length === 0) this.oldCopies.delete(rec.urn);
          } else this.live.delete(rec.urn);
          break;
        case 'pending':
          this.pending.set(rec.operation.resource.urn, rec.operation);
          break;
        case 'settle':
          this.pending.delete(rec.urn);
          break;
      }
    }
  }

  #addOld(r: ResourceState): void {
    const list = this.oldCopies.get(r.urn);
    if (list) list.push(r);
    else this.oldCopies.set(r.urn, [r]);
  }

  /** Every resource copy (live and old) this view holds. */
  *all(): Iterable<ResourceState> {
    yield* this.live.values();
    for (const list of this.oldCopies.values()) yield* list;
  }
}

/** Everything a stored resource refers to: dependencies, parent, provider, deletedWith. */
export function stateDeps(r: ResourceState): string[] {
  const out = new Set<string>(r.dependencies ?? []);
  for (const list of Object.values(r.propertyDependencies ?? {})) for (const u of list ?? []) out.add(u);
  if (r.parent) out.add(r.parent);
  if (r.deletedWith) out.add(r.deletedWith);
  if (r.provider) {
    try {
      out.add(parseProviderRef(r.provider).urn);
    } catch {
      // A malformed provider reference is reported where the provider is looked up.
    }
  }
  return [...out];
}

function refersTo(r: ResourceState, urn: string): boolean {
  return (
    (r.dependencies?.includes(urn) ?? false) ||
    r.deletedWith === urn ||
    Object.values(r.propertyDependencies ?? {}).some((list) => list?.includes(urn))
  );
}

function without(r: ResourceState, urn: string): ResourceState {
  const out: ResourceState = { ...r };
  if (r.dependencies) {
    const deps = r.dependencies.filter((d) => d !== urn);
    if (deps.length > 0) out.dependencies = deps;
    else delete out.dependencies;
  }
  if (r.propertyDependencies) {
    const pd: Record<string, string[]> = {};
    for (const [k, list] of Object.entries(r.propertyDependencies)) {
      const kept = (list ?? []).filter((d) => d !== urn);
      if (kept.length > 0) pd[k] = kept;
    }
    if (Object.keys(pd).length > 0) out.propertyDependencies = pd;
    else delete out.propertyDependencies;
  }
  if (r.deletedWith === urn) delete out.deletedWith;
  return out;
}

/**
 * Records that drop every reference to `urn` from the other resources, to go in the same
 * write as its removal when resources that still refer to it stay (a delete-before-replace,
 * a resource found gone by refresh): every prefix of the journal must leave a checkpoint
 * that keeps the integrity rules, or the stack could not be opened after a crash. The
 * references come back when the dependents are next converged.
 */
export function detachRecords(view: StackView, urn: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  for (const r of view.live.values()) if (r.urn !== urn && refersTo(r, urn)) records.push({ op: 'put', resource: without(r, urn) });
  for (const [other, copies] of view.oldCopies) {
    if (other === urn || !copies.some((c) => refersTo(c, urn))) continue;
    // Old copies cannot be replaced in place: take them all out and put them back in order.
    for (let i = 0; i < copies.length; i++) records.push({ op: 'remove', urn: other, deleted: true });
    for (const c of copies) records.push({ op: 'put', resource: refersTo(c, urn) ? without(c, urn) : c });
  }
  return records;
}
