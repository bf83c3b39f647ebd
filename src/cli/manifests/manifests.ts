// manifests list|show|history|diff <stack> …: the manifest registry of a stack.
import { isManifestStatus, isManifestType, MANIFEST_STATUSES, MANIFEST_TYPES } from '../../manifests/index.ts';
import { diffManifestVersions, listManifests, manifestHistory as history, showManifest as show } from '../../ops/manifests.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, localTime, table } from '../stacks/render.ts';
import { liveDiffJson, renderLiveDiff } from './live-render.ts';

interface Flags {
  json?: boolean;
  passwordStdin?: boolean;
}

export async function listManifestsCommand(io: CliIO, name: string | undefined, opts: Flags & { type?: string; status?: string }): Promise<void> {
  const { type, status } = opts;
  if (type !== undefined && !isManifestType(type)) throw new CliError(`unknown manifest type '${type}'`, { hint: `Types: ${MANIFEST_TYPES.join(', ')}.` });
  if (status !== undefined && !isManifestStatus(status)) throw new CliError(`unknown manifest status '${status}'`, { hint: `Statuses: ${MANIFEST_STATUSES.join(', ')}.` });
  const { stack, manifests: rows } = await withCli(io, opts, (ctx) => listManifests(ctx, { stack: name, type, status }));
  if (opts.json) {
    io.stdout.write(json(rows.map(({ history: kept, ...m }) => ({ ...m, versions: kept.length }))));
    return;
  }
  if (rows.length === 0) {
    io.stdout.write(`Stack '${stack}' has no ${type || status ? 'matching ' : ''}manifests registered.\n`);
    return;
  }
  io.stdout.write(
    table([
      ['ID', 'TYPE', 'VERSION', 'STATUS', 'HASH', 'UPDATED', 'DEPENDS ON'],
      ...rows.map((m) => [m.id, m.type, m.version, m.status, m.hash.slice(0, 12), localTime(new Date(m.updatedAt)), m.dependencies.join(',') || '-']),
    ]),
  );
}

export async function manifestHistory(io: CliIO, name: string | undefined, ref: string, opts: Flags): Promise<void> {
  const { manifest: m } = await withCli(io, opts, (ctx) => history(ctx, { stack: name, manifest: ref }));
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
}

export async function showManifest(io: CliIO, name: string | undefined, ref: string, opts: Flags & { version?: string; showSecrets?: boolean }): Promise<void> {
  const { manifest: m, version: v, content } = await withCli(io, opts, (ctx) => show(ctx, { stack: name, manifest: ref, version: opts.version, showSecrets: opts.showSecrets }));
  if (opts.json) {
    const { history: kept, ...rest } = m;
    io.stdout.write(json({ ...rest, versions: kept.length, shownVersion: v, content }));
  } else {
    io.stdout.write(`# ${m.id} ${v.version} (${m.type}, ${v.status}) sha256:${v.hash}\n${content}${content.endsWith('\n') ? '' : '\n'}`);
  }
}

export async function diffManifest(io: CliIO, name: string | undefined, ref: string, opts: Flags & { from?: string; to?: string; live?: boolean; showSecrets?: boolean }): Promise<void> {
  if (opts.live) {
    if (opts.from !== undefined || opts.to !== undefined) {
      throw new CliError('--live compares the current version with the cluster; --from and --to compare two recorded versions', { hint: 'Use one or the other.' });
    }
    const { diffManifestLive } = await import('../../ops/manifests-live.ts');
    const report = await withCli(io, opts, (ctx) => diffManifestLive(ctx, { stack: name, manifest: ref, showSecrets: opts.showSecrets }));
    io.stdout.write(opts.json ? json(liveDiffJson(report)) : renderLiveDiff(report));
    if (!report.diff.inSync) throw new CliError('the manifest differs from the live cluster', { display: '', exitCode: 1 });
    return;
  }
  const d = await withCli(io, opts, (ctx) => diffManifestVersions(ctx, { stack: name, manifest: ref, from: opts.from, to: opts.to, showSecrets: opts.showSecrets }));
  if (opts.json) io.stdout.write(json({ id: d.id, from: d.from, to: d.to, identical: d.diff === '', diff: d.diff }));
  else io.stdout.write(d.diff === '' ? `${d.id}: ${d.from} and ${d.to} are identical.\n` : d.diff);
}
