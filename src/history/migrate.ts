// Schema versions of the deployment metadata record and the migrations between them. Reading
// an older record migrates it in memory, says which migrations ran, and keeps every field it
// had (unknown ones included); the migrated record is written at the next deployment.
import { CURRENT_SCHEMA, SCHEMA_V1, SCHEMA_V2 } from './types.ts';
import type { ConfigVersion, DeploymentMetadata } from './types.ts';

export class MetadataError extends Error {
  readonly exitCode = 1;
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'MetadataError';
    this.hint = hint;
  }
}

type Raw = Record<string, unknown>;

interface Migration {
  id: string;
  from: string;
  to: string;
  apply(record: Raw): Raw;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/**
 * 1.0 → 2.0 (seed: "Added manifest_tracking, versioning fields"): the config version block,
 * the schema version, the change log and deployment history, snapshot links and manifest
 * tracking fields. Version 1.0 records (the earliest Go releases) had timestamps, counts,
 * pool lists and the checksum only.
 */
const v1ToV2: Migration = {
  id: 'v1.0-to-v2.0',
  from: SCHEMA_V1,
  to: SCHEMA_V2,
  apply(r) {
    const created = str(r.createdAt, str(r.lastDeployedAt));
    const updated = str(r.updatedAt, created);
    const existing = (r.configVersion && typeof r.configVersion === 'object' ? r.configVersion : {}) as Partial<ConfigVersion>;
    const configVersion: ConfigVersion = {
      ...existing,
      schema_version: SCHEMA_V2,
      config_hash: str(existing.config_hash, str(r.configChecksum)),
      created_at: str(existing.created_at, created),
      updated_at: str(existing.updated_at, updated),
    };
    return {
      ...r,
      configVersion,
      schemaVersion: SCHEMA_V2,
      changeLog: arr(r.changeLog),
      previousDeployments: arr(r.previousDeployments),
      stateSnapshotId: str(r.stateSnapshotId),
      parentStateId: str(r.parentStateId),
      manifestCount: typeof r.manifestCount === 'number' ? r.manifestCount : 0,
      manifestHashes: r.manifestHashes && typeof r.manifestHashes === 'object' ? r.manifestHashes : {},
    };
  },
};

export const MIGRATIONS: readonly Migration[] = [v1ToV2];

/** The schema version a stored record claims (no claim at all is 1.0, the first format). */
export function schemaOf(record: Raw): string {
  const v = record.schemaVersion ?? (record.configVersion as Raw | undefined)?.schema_version;
  return typeof v === 'string' && v !== '' ? v : SCHEMA_V1;
}

/** Parses what the stack holds under `deploymentMeta`: an object, or JSON text (the Go writer). */
export function parseStoredMeta(value: unknown): Raw | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value.trim() === '' || value.trim() === '{}') return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Raw;
    } catch {
      // fall through
    }
    throw new MetadataError('the stack output deploymentMeta is not a JSON object');
  }
  if (typeof value === 'object' && !Array.isArray(value)) return value as Raw;
  throw new MetadataError('the stack output deploymentMeta is not a JSON object');
}

export interface Migrated {
  meta: DeploymentMetadata;
  /** The version the record was stored with. */
  from: string;
  /** Ids of the migrations that ran, in order. */
  applied: string[];
}

/** Brings a stored record to the current schema. */
export function migrateMeta(stored: Raw): Migrated {
  const from = schemaOf(stored);
  const known = [SCHEMA_V1, ...MIGRATIONS.map((m) => m.to)];
  if (!known.includes(from)) {
    throw new MetadataError(
      `the deployment metadata has schema version ${from}, which this version of sloth-kubernetes does not know (it reads ${known.join(', ')})`,
      'It was written by a newer sloth-kubernetes (or came with a stack export one wrote): upgrade sloth-kubernetes to read it and to deploy this stack.',
    );
  }
  let record: Raw = { ...stored };
  let version = from;
  const applied: string[] = [];
  while (version !== CURRENT_SCHEMA) {
    const m = MIGRATIONS.find((x) => x.from === version);
    if (!m) throw new MetadataError(`no migration from deployment metadata schema ${version}`);
    record = m.apply(record);
    applied.push(m.id);
    version = m.to;
  }
  // Fields the Go writer left out when empty (`omitempty`).
  for (const k of ['nodePoolsAdded', 'nodePoolsRemoved', 'nodePoolsScaled', 'changeLog', 'previousDeployments']) record[k] = arr(record[k]);
  for (const k of ['stateSnapshotId', 'parentStateId', 'lastScaleOperation', 'slothVersion', 'pulumiVersion', 'configChecksum']) record[k] = str(record[k]);
  for (const k of ['deploymentCount', 'currentNodeCount', 'previousNodeCount']) record[k] = typeof record[k] === 'number' ? record[k] : 0;
  if (applied.length > 0) {
    const cv = record.configVersion as ConfigVersion;
    record.configVersion = { ...cv, migrations: [...(cv.migrations ?? []), ...applied] };
  }
  return { meta: record as DeploymentMetadata, from, applied };
}
