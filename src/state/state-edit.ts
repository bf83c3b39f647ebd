// State surgery (`stacks state delete|unprotect|repair`): pure functions from a deployment
// to the resources it should have afterwards. The store writes the result under the lock
// as a `state-edit` history entry.
import { checkIntegrity, providerUrn, referencesOf, sortForIntegrity } from './checkpoint/integrity.ts';
import { StateError } from './errors.ts';
import type { Deployment, ResourceState } from './types.ts';

export interface EditPlan {
  resources: ResourceState[];
  /** What the edit does, one line each. */
  changes: string[];
  /** Problems it cannot fix. */
  unfixable: string[];
}

function dependentsOf(resources: ResourceState[], urn: string): ResourceState[] {
  return resources.filter((r) => r.urn !== urn && referencesOf(r).some((ref) => ref.urn === urn));
}

function withoutReference(r: ResourceState, urn: string, newParent: string | undefined): ResourceState {
  const out: ResourceState = { ...r };
  if (out.dependencies) out.dependencies = out.dependencies.filter((d) => d !== urn);
  if (out.propertyDependencies) {
    out.propertyDependencies = Object.fromEntries(Object.entries(out.propertyDependencies).map(([k, v]) => [k, v.filter((d) => d !== urn)]));
  }
  if (out.deletedWith === urn) delete out.deletedWith;
  if (out.parent === urn) {
    if (newParent) out.parent = newParent;
    else delete out.parent;
  }
  return out;
}

export function planDelete(d: Deployment, urn: string, force: boolean): EditPlan {
  const matches = d.resources.filter((r) => r.urn === urn);
  if (matches.length === 0) throw new StateError(`no resource with URN ${urn} in this stack`, { hint: 'List them with: sloth-kubernetes stacks state list <stack>' });
  const target = matches.find((r) => !r.delete) ?? matches[0]!;
  if (target.protect) {
    throw new StateError(`${urn} is protected; it was not deleted`, { hint: 'Unprotect it first: sloth-kubernetes stacks state unprotect <stack> <urn>' });
  }
  if (target.type === 'pulumi:pulumi:Stack') throw new StateError('the root stack resource cannot be deleted from the state');
  const others = d.resources.filter((r) => r !== target);
  const dependents = others.some((r) => r.urn === urn) ? [] : dependentsOf(others, urn);
  const providerUsers = dependents.filter((r) => r.provider && providerUrn(r.provider) === urn);
  if (providerUsers.length > 0) {
    throw new StateError(`${urn} is the provider of ${providerUsers.length} resource(s), e.g. ${providerUsers[0]!.urn}; delete those first`);
  }
  if (dependents.length > 0 && !force) {
    throw new StateError(`${dependents.length} resource(s) depend on ${urn}: ${dependents.slice(0, 5).map((r) => r.urn).join(', ')}`, {
      hint: 'Pass --force to delete it anyway; the references to it are removed from those resources.',
    });
  }
  const changes = [`delete ${urn}${target.delete ? ' (the copy pending deletion)' : ''}`];
  const resources = others.map((r) => {
    if (!dependents.includes(r)) return r;
    changes.push(`remove the reference to it from ${r.urn}`);
    return withoutReference(r, urn, target.parent);
  });
  return { resources, changes, unfixable: [] };
}

export function planUnprotect(d: Deployment, urn: string | undefined): EditPlan {
  const changes: string[] = [];
  if (urn !== undefined && !d.resources.some((r) => r.urn === urn)) throw new StateError(`no resource with URN ${urn} in this stack`);
  const resources = d.resources.map((r) => {
    if (!r.protect || (urn !== undefined && r.urn !== urn)) return r;
    changes.push(`unprotect ${r.urn}`);
    return { ...r, protect: false };
  });
  return { resources, changes, unfixable: [] };
}

/** Fixes what can be fixed: order, dangling references, ids on components, the manifest magic. */
export function planRepair(d: Deployment): EditPlan {
  const changes: string[] = [];
  const unfixable: string[] = [];
  const problems = checkIntegrity(d.resources, d.manifest);
  const present = new Set(d.resources.map((r) => r.urn));
  const root = d.resources.find((r) => r.type === 'pulumi:pulumi:Stack' && !r.parent)?.urn;
  let resources = d.resources.map((r) => {
    let out = r;
    for (const ref of referencesOf(r)) {
      if (present.has(ref.urn)) continue;
      if (ref.field === 'provider') {
        unfixable.push(`${r.urn} uses the provider ${ref.urn}, which is not in the stack`);
        continue;
      }
      const parent = ref.field === 'parent' && root && root !== r.urn ? root : undefined;
      changes.push(`${r.urn}: drop the ${ref.field} reference to missing ${ref.urn}${parent ? ' (parent becomes the stack)' : ''}`);
      out = withoutReference(out, ref.urn, parent);
    }
    if (!out.custom && out.id) {
      changes.push(`${r.urn}: drop the id of a component resource`);
      out = { ...out };
      delete out.id;
    }
    return out;
  });
  if (problems.some((p) => p.kind === 'order')) changes.push('re-order resources so that each comes after what it refers to');
  if (problems.some((p) => p.kind === 'magic')) changes.push('rewrite the manifest (its magic did not match its version)');
  for (const p of problems) if (p.kind === 'duplicate') unfixable.push(`${p.message}; delete one copy with: stacks state delete`);
  const sorted = sortForIntegrity(resources);
  if (sorted.cycle) unfixable.push('the references between resources form a cycle');
  resources = sorted.resources;
  return { resources, changes, unfixable };
}
