// The manifest registry of a stack, as read: every manifest the tool applied or generated with
// its versions, statuses (reconciled with what the stack records now) and content — redacted
// unless showSecrets. Showing a manifest with its secrets is on record. Comparing with the
// live cluster is manifests-live.ts.
import { reconcile } from '../history/recorders.ts';
import { findManifest, listManifests as listRegistry, ManifestStore, unifiedDiff } from '../manifests/index.ts';
import type { Manifest, ManifestStatus, ManifestType, ManifestVersion, Registry } from '../manifests/index.ts';
import { redactManifest, stackSecretValues } from '../redact/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { auditSession, withAuditedStack, withStack } from './stack.ts';

interface Read {
  stack: OpenedStack;
  store: ManifestStore;
  registry: Registry;
}

async function read(stack: OpenedStack): Promise<Read> {
  const store = new ManifestStore(stack.attachments);
  return { stack, store, registry: reconcile(await store.load(), stack.deployment) };
}

function find(reg: Registry, ref: string, stack: string): Manifest {
  const m = findManifest(reg, ref);
  if (!m) throw new OpsError('invalid', `stack '${stack}' has no manifest '${ref}'`, `List them with: sloth-kubernetes manifests list ${stack}`);
  if (Array.isArray(m)) throw new OpsError('invalid', `'${ref}' names ${m.length} manifests: ${m.map((x) => x.id).join(', ')}`, 'Use the id.');
  return m;
}

function versionOf(m: Manifest, v: string | undefined, stack: string): ManifestVersion {
  const want = v ?? m.version;
  const found = m.history.find((h) => h.version === want || h.hash.startsWith(want));
  if (!found) throw new OpsError('invalid', `manifest ${m.id} of stack '${stack}' has no version '${want}'`, `Its versions: ${m.history.map((h) => h.version).join(', ')}`);
  return found;
}

/** The secrets a manifest's content may hold: the config's credentials and the stack's generated secrets. */
const secretsOf = (stack: OpenedStack): string[] => stackSecretValues(stack.deployment, stack.name);

export async function listManifests(ctx: OpsContext, input: { stack?: string; type?: ManifestType; status?: ManifestStatus }): Promise<{ stack: string; manifests: Manifest[] }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { registry } = await read(stack);
    return { stack: stack.name, manifests: listRegistry(registry, { type: input.type, status: input.status }) };
  });
}

/** One manifest with the versions kept. */
export async function manifestHistory(ctx: OpsContext, input: { stack?: string; manifest: string }): Promise<{ stack: string; manifest: Manifest }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { registry } = await read(stack);
    return { stack: stack.name, manifest: find(registry, input.manifest, stack.name) };
  });
}

export interface ShownManifest {
  stack: string;
  manifest: Manifest;
  version: ManifestVersion;
  /** Redacted unless showSecrets. */
  content: string;
}

/** One manifest's content at a version (default: the current one). With showSecrets, audited. */
export async function showManifest(ctx: OpsContext, input: { stack?: string; manifest: string; version?: string; showSecrets?: boolean }): Promise<ShownManifest> {
  const show = async ({ stack, store, registry }: Read): Promise<ShownManifest> => {
    const m = find(registry, input.manifest, stack.name);
    const v = versionOf(m, input.version, stack.name);
    const content = await store.content(v.hash);
    if (content === undefined) throw new OpsError('invalid', `the content of ${m.id} ${v.version} is not stored (the deploy that registered it was interrupted before saving it)`);
    return { stack: stack.name, manifest: m, version: v, content: input.showSecrets ? content : redactManifest(content, secretsOf(stack)) };
  };
  if (!input.showSecrets) return withStack(ctx, input.stack, async ({ stack }) => show(await read(stack)));
  const ref = input.manifest;
  const audit = auditSession(ctx, 'manifests show', { type: 'manifest', action: 'read', severity: 'warning', resourceId: ref, resourceType: 'manifest', description: `manifest ${ref} shown with secrets` });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const shown = await show(await read(stack));
    audit.summary.description = `Manifest ${shown.manifest.id} of stack '${stack.name}' shown with secrets`;
    return shown;
  });
}

export interface ManifestVersionsDiff {
  stack: string;
  id: string;
  from: string;
  to: string;
  /** A unified diff of the (redacted unless showSecrets) contents; empty when identical. */
  diff: string;
}

/** Two recorded versions of a manifest compared (default: the current one and the one before). */
export async function diffManifestVersions(ctx: OpsContext, input: { stack?: string; manifest: string; from?: string; to?: string; showSecrets?: boolean }): Promise<ManifestVersionsDiff> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { store, registry } = await read(stack);
    const m = find(registry, input.manifest, stack.name);
    const to = versionOf(m, input.to, stack.name);
    const from = input.from ? versionOf(m, input.from, stack.name) : m.history[m.history.indexOf(to) - 1];
    if (!from) throw new OpsError('invalid', `${m.id} has only one version kept (${to.version}); nothing to compare it with`);
    const [a, b] = await Promise.all([store.content(from.hash), store.content(to.hash)]);
    if (a === undefined || b === undefined) throw new OpsError('invalid', `the content of ${m.id} ${a === undefined ? from.version : to.version} is not stored`);
    const secrets = input.showSecrets ? [] : secretsOf(stack);
    const diff = unifiedDiff(redactManifest(a, secrets), redactManifest(b, secrets), { from: `${m.id} ${from.version}`, to: `${m.id} ${to.version}` });
    return { stack: stack.name, id: m.id, from: from.version, to: to.version, diff };
  });
}
