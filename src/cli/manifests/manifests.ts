// manifests list|show|history|diff <stack> …: the manifest registry of a stack.
import { findManifest, isManifestStatus, isManifestType, listManifests, ManifestStore, MANIFEST_STATUSES, MANIFEST_TYPES, unifiedDiff } from '../../manifests/index.ts';
import type { Manifest, ManifestVersion, Registry } from '../../manifests/index.ts';
import { reconcile } from '../../history/index.ts';
import { auditSession, withAuditedStack } from '../../ops/index.ts';
import { redactManifest, stackSecretValues } from '../../redact/index.ts';
import type { OpenedStack } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { cliContext } from '../host.ts';
import type { CliIO } from '../io.ts';
import { openStackForCommand } from '../stack-context.ts';
import { json, localTime, table } from '../stacks/render.ts';
import { liveDiffJson, renderLiveDiff } from './live-render.ts';

interface Flags {
  json?: boolean;
  passwordStdin?: boolean;
}

async function withRegistry<T>(io: CliIO, name: string | undefined, flags: Flags, body: (reg: Registry, store: ManifestStore, stack: OpenedStack) => Promise<T>): Promise<T> {
  const { store, stack } = await openStackForCommand(io, name, { passwordStdin: flags.passwordStdin });
  try {
    const manifests = new ManifestStore(stack.attachments);
    return await body(reconcile(await manifests.load(), stack.deployment), manifests, stack);
  } finally {
    store.close();
  }
}

function find(reg: Registry, ref: string, stack: string): Manifest {
  const m = findManifest(reg, ref);
  if (!m) throw new CliError(`stack '${stack}' has no manifest '${ref}'`, { hint: `List them with: sloth-kubernetes manifests list ${stack}` });
  if (Array.isArray(m)) throw new CliError(`'${ref}' names ${m.length} manifests: ${m.map((x) => x.id).join(', ')}`, { hint: 'Use the id.' });
  return m;
}

function version(m: Manifest, v: string | undefined, stack: string): ManifestVersion {
  const want = v ?? m.version;
  const found = m.history.find((h) => h.version === want || h.hash.startsWith(want));
  if (!found) throw new CliError(`manifest ${m.id} of stack '${stack}' has no version '${want}'`, { hint: `Its versions: ${m.history.map((h) => h.version).join(', ')}` });
  return found;
}

export async function listManifestsCommand(io: CliIO, name: string | undefined, opts: Flags & { type?: string; status?: string }): Promise<void> {
  if (opts.type !== undefined && !isManifestType(opts.type)) throw new CliError(`unknown manifest type '${opts.type}'`, { hint: `Types: ${MANIFEST_TYPES.join(', ')}.` });
  if (opts.status !== undefined && !isManifestStatus(opts.status)) throw new CliError(`unknown manifest status '${opts.status}'`, { hint: `Statuses: ${MANIFEST_STATUSES.join(', ')}.` });
  await withRegistry(io, name, opts, async (reg, _m, stack) => {
    const rows = listManifests(reg, { type: opts.type as Manifest['type'] | undefined, status: opts.status as Manifest['status'] | undefined });
    if (opts.json) {
      io.stdout.write(json(rows.map(({ history, ...m }) => ({ ...m, versions: history.length }))));
      return;
    }
    if (rows.length === 0) {
      io.stdout.write(`Stack '${stack.name}' has no ${opts.type || opts.status ? 'matching ' : ''}manifests registered.\n`);
      return;
    }
    io.stdout.write(
      table([
        ['ID', 'TYPE', 'VERSION', 'STATUS', 'HASH', 'UPDATED', 'DEPENDS ON'],
        ...rows.map((m) => [m.id, m.type, m.version, m.status, m.hash.slice(0, 12), localTime(new Date(m.updatedAt)), m.dependencies.join(',') || '-']),
      ]),
    );
  });
}

export async function manifestHistory(io: CliIO, name: string | undefined, ref: string, opts: Flags): Promise<void> {
  await withRegistry(io, name, opts, async (reg, _m, stack) => {
    const m = find(reg, ref, stack.name);
    if (opts.json) {
      io.stdout.write(json(m.history));
      return;
    }
    io.stdout.write(`${m.id} (${m.type}), ${m.history.length} version${m.history.length === 1 ? '' : 's'} kept:\n`);
    io.stdout.write(
      table([
        ['VERSION', 'STATUS', 'HASH', 'PARENT', 'CREATED', 'APPLIED'],
        ...[...m.history].reverse().map((h) => [h.version, h.status, h.hash.slice(0, 12), h.parentHash ? h.parentHash.slice(0, 12) : '-', localTime(new Date(h.createdAt)), h.appliedAt ? localTime(new Date(h.appliedAt)) : '-']),
      ]),
    );
  });
}

/** The secrets a manifest's content may hold: the config's credentials and the stack's generated secrets. */
const secretsOf = (stack: OpenedStack): string[] => stackSecretValues(stack.deployment, stack.name);

export async function showManifest(io: CliIO, name: string | undefined, ref: string, opts: Flags & { version?: string; showSecrets?: boolean }): Promise<void> {
  const run = async (reg: Registry, manifests: ManifestStore, stack: OpenedStack) => {
    const m = find(reg, ref, stack.name);
    const v = version(m, opts.version, stack.name);
    const content = await manifests.content(v.hash);
    if (content === undefined) throw new CliError(`the content of ${m.id} ${v.version} is not stored (the deploy that registered it was interrupted before saving it)`);
    const shown = opts.showSecrets ? content : redactManifest(content, secretsOf(stack));
    if (opts.json) {
      const { history, ...rest } = m;
      io.stdout.write(json({ ...rest, versions: history.length, shownVersion: v, content: shown }));
    } else {
      io.stdout.write(`# ${m.id} ${v.version} (${m.type}, ${v.status}) sha256:${v.hash}\n${shown}${shown.endsWith('\n') ? '' : '\n'}`);
    }
    return m;
  };
  if (!opts.showSecrets) {
    await withRegistry(io, name, opts, run);
    return;
  }
  const ctx = cliContext(io, opts);
  const audit = auditSession(ctx, 'manifests show', { type: 'manifest', action: 'read', severity: 'warning', resourceId: ref, resourceType: 'manifest', description: `manifest ${ref} shown with secrets` });
  await withAuditedStack(ctx, audit, name, async ({ stack }) => {
    const manifests = new ManifestStore(stack.attachments);
    const m = await run(reconcile(await manifests.load(), stack.deployment), manifests, stack);
    audit.summary.description = `Manifest ${m.id} of stack '${stack.name}' shown with secrets`;
  });
}

export async function diffManifest(io: CliIO, name: string | undefined, ref: string, opts: Flags & { from?: string; to?: string; live?: boolean; showSecrets?: boolean }): Promise<void> {
  if (opts.live) {
    if (opts.from !== undefined || opts.to !== undefined) {
      throw new CliError('--live compares the current version with the cluster; --from and --to compare two recorded versions', { hint: 'Use one or the other.' });
    }
    const { diffManifestLive } = await import('../../ops/index.ts');
    const report = await diffManifestLive(cliContext(io, opts), { stack: name, manifest: ref, showSecrets: opts.showSecrets });
    io.stdout.write(opts.json ? json(liveDiffJson(report)) : renderLiveDiff(report));
    if (!report.diff.inSync) throw new CliError('the manifest differs from the live cluster', { display: '', exitCode: 1 });
    return;
  }
  await withRegistry(io, name, opts, async (reg, manifests, stack) => {
    const m = find(reg, ref, stack.name);
    const to = version(m, opts.to, stack.name);
    const idx = m.history.indexOf(to);
    const from = opts.from ? version(m, opts.from, stack.name) : m.history[idx - 1];
    if (!from) throw new CliError(`${m.id} has only one version kept (${to.version}); nothing to compare it with`);
    const [a, b] = await Promise.all([manifests.content(from.hash), manifests.content(to.hash)]);
    if (a === undefined || b === undefined) throw new CliError(`the content of ${m.id} ${a === undefined ? from.version : to.version} is not stored`);
    const secrets = opts.showSecrets ? [] : secretsOf(stack);
    const diff = unifiedDiff(redactManifest(a, secrets), redactManifest(b, secrets), { from: `${m.id} ${from.version}`, to: `${m.id} ${to.version}` });
    if (opts.json) io.stdout.write(json({ id: m.id, from: from.version, to: to.version, identical: diff === '', diff }));
    else io.stdout.write(diff === '' ? `${m.id}: ${from.version} and ${to.version} are identical.\n` : diff);
  });
}
