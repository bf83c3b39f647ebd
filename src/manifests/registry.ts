// The manifest registry: every Kubernetes manifest the tool applies or generates, with its
// type, semantic version (v1, v2, …), SHA-256, status, dependencies, metadata and parent hash,
// and a bounded history of versions per manifest. Pure data; manifest-store.ts persists it.
import { createHash } from 'node:crypto';

export const MANIFEST_TYPES = ['rke', 'rke2', 'k3s', 'argocd', 'helm', 'kustomize', 'raw'] as const;
export type ManifestType = (typeof MANIFEST_TYPES)[number];

export const MANIFEST_STATUSES = ['pending', 'applied', 'failed', 'deleted', 'out_of_sync'] as const;
export type ManifestStatus = (typeof MANIFEST_STATUSES)[number];

/** Versions kept per manifest (the seed's registry keeps 50). */
export const DEFAULT_MAX_HISTORY = 50;

export interface ManifestVersion {
  version: string;
  hash: string;
  status: ManifestStatus;
  createdAt: string;
  appliedAt?: string;
  parentHash: string;
}

export interface Manifest {
  id: string;
  name: string;
  type: ManifestType;
  version: string;
  hash: string;
  status: ManifestStatus;
  createdAt: string;
  updatedAt: string;
  appliedAt?: string;
  metadata: Record<string, string>;
  dependencies: string[];
  parentHash: string;
  /** Oldest first, at most `maxHistory` entries; the last one is the current version. */
  history: ManifestVersion[];
}

export interface Registry {
  version: 1;
  maxHistory: number;
  updatedAt: string;
  manifests: Record<string, Manifest>;
}

export interface ManifestInput {
  id: string;
  name: string;
  type: ManifestType;
  content: string;
  metadata?: Record<string, string>;
  dependencies?: string[];
}

export const contentHash = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex');

export function emptyRegistry(maxHistory = DEFAULT_MAX_HISTORY): Registry {
  return { version: 1, maxHistory, updatedAt: new Date(0).toISOString(), manifests: {} };
}

function versionNumber(v: string): number {
  const n = Number(/^v(\d+)$/.exec(v)?.[1]);
  return Number.isInteger(n) ? n : 0;
}

/**
 * Registers `input` (new manifest, or a new version when its content changed). The new or
 * changed version starts `pending`; `setStatus` moves it on. Returns whether anything changed.
 */
export function register(reg: Registry, input: ManifestInput, now: Date): { manifest: Manifest; changed: boolean } {
  const at = now.toISOString();
  const hash = contentHash(input.content);
  const old = reg.manifests[input.id];
  if (old && old.hash === hash && old.status !== 'deleted') {
    // Same content: metadata and dependencies may still move (a node's role, an address).
    const metadata = input.metadata ?? {};
    const deps = input.dependencies ?? [];
    const changed = JSON.stringify(old.metadata) !== JSON.stringify(metadata) || old.dependencies.join() !== deps.join() || old.type !== input.type;
    if (changed) Object.assign(old, { metadata, dependencies: deps, type: input.type, updatedAt: at });
    return { manifest: old, changed };
  }
  const version = old ? `v${versionNumber(old.version) + 1}` : 'v1';
  const parentHash = old?.hash ?? '';
  const entry: ManifestVersion = { version, hash, status: 'pending', createdAt: at, parentHash };
  const manifest: Manifest = {
    id: input.id,
    name: input.name,
    type: input.type,
    version,
    hash,
    status: 'pending',
    createdAt: old?.createdAt ?? at,
    updatedAt: at,
    metadata: input.metadata ?? {},
    dependencies: input.dependencies ?? [],
    parentHash,
    history: [...(old?.history ?? []), entry].slice(-reg.maxHistory),
  };
  reg.manifests[input.id] = manifest;
  reg.updatedAt = at;
  return { manifest, changed: true };
}

/** Moves the current version of a manifest to `status`; returns whether it changed. */
export function setStatus(reg: Registry, id: string, status: ManifestStatus, now: Date): boolean {
  const m = reg.manifests[id];
  if (!m || m.status === status) return false;
  const at = now.toISOString();
  m.status = status;
  m.updatedAt = at;
  if (status === 'applied') m.appliedAt = at;
  const cur = m.history[m.history.length - 1];
  if (cur && cur.hash === m.hash) {
    cur.status = status;
    if (status === 'applied') cur.appliedAt = at;
  }
  reg.updatedAt = at;
  return true;
}

export function listManifests(reg: Registry, filter: { type?: ManifestType; status?: ManifestStatus } = {}): Manifest[] {
  return Object.values(reg.manifests)
    .filter((m) => (!filter.type || m.type === filter.type) && (!filter.status || m.status === filter.status))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A manifest by id, or by name when that is unique. */
export function findManifest(reg: Registry, ref: string): Manifest | Manifest[] | undefined {
  if (reg.manifests[ref]) return reg.manifests[ref];
  const byName = Object.values(reg.manifests).filter((m) => m.name === ref);
  return byName.length === 1 ? byName[0] : byName.length > 1 ? byName : undefined;
}

/** The registry's own hash: over every live manifest's id and content hash. */
export function registryHash(reg: Registry): string {
  const parts = Object.values(reg.manifests)
    .filter((m) => m.status !== 'deleted')
    .map((m) => `${m.id}=${m.hash}`)
    .sort();
  return contentHash(parts.join('\n'));
}

export function isManifestType(v: string): v is ManifestType {
  return (MANIFEST_TYPES as readonly string[]).includes(v);
}

export function isManifestStatus(v: string): v is ManifestStatus {
  return (MANIFEST_STATUSES as readonly string[]).includes(v);
}
