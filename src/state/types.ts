// The contract between the state layer (backends, stacks, checkpoints, secrets, locks,
// journal) and the layers above it (engine, history, audit, CLI). In-memory shapes mirror
// Pulumi's checkpoint JSON (deployment version 3, see test/contracts/pulumi/STATE-FORMAT.md);
// the state layer owns the translation to and from bytes, including encryption.

/** Pulumi's marker for a value not known until apply. Persisted as this string. */
export const UNKNOWN_VALUE = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

export type PropertyValue = null | boolean | number | string | PropertyValue[] | PropertyMap | Secret;
export interface PropertyMap {
  [key: string]: PropertyValue;
}

/**
 * A secret value, decrypted in memory. `ciphertext` caches the encrypted form it was read
 * from so that an unchanged secret is written back byte-identical (no churn, no re-encrypt).
 * It must be dropped (set undefined) whenever `value` changes.
 */
export class Secret {
  readonly value: PropertyValue;
  ciphertext: string | undefined;
  constructor(value: PropertyValue, ciphertext?: string) {
    this.value = value;
    this.ciphertext = ciphertext;
  }

  /**
   * A secret read from a checkpoint, decrypted when its value is first read (a read-only open
   * derives the stack's key only if a secret is read: state/store.ts). `value` is then an
   * ordinary property again.
   */
  static sealed(ciphertext: string, open: () => PropertyValue): Secret {
    const s = new Secret(null, ciphertext);
    Object.defineProperty(s, 'value', {
      enumerable: true,
      configurable: true,
      get(this: Secret) {
        const value = open();
        Object.defineProperty(this, 'value', { value, enumerable: true, writable: true, configurable: true });
        return value;
      },
    });
    return s;
  }
}

/** The plain value with every Secret unwrapped, deeply. For reading in memory, never for printing. */
export function reveal(value: PropertyValue): PropertyValue;
/** An absent value (a missing output or input) stays absent. */
export function reveal(value: PropertyValue | undefined): PropertyValue | undefined;
export function reveal(value: PropertyValue | undefined): PropertyValue | undefined {
  if (value instanceof Secret) return reveal(value.value);
  if (Array.isArray(value)) return value.map((v) => reveal(v));
  if (value !== null && typeof value === 'object') {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = reveal(v);
    return out;
  }
  return value;
}

/**
 * Replaces every occurrence of each secret string in `text` with `[secret]`, longest first
 * so a secret containing another is replaced whole. Strings under 4 characters are left
 * alone: hiding them would mangle ordinary text and hide nothing worth hiding.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of sorted) if (out.includes(s)) out = out.split(s).join('[secret]');
  return out;
}

const CREDENTIAL_KEY = /(secret|token|passw(or)?d|passphrase|private.?key|credential|api.?key|access.?key|client.?key|kube.?config)/i;

/**
 * Whether a key names a credential (`apiToken`, `client-key`, `DB_PASSWORD`, `kubeconfig`),
 * so the value under it is treated as a secret wherever a structure is redacted or scanned
 * by key name (audit values, an older writer's config, manifests). One list for every layer:
 * a key one of them hides, all of them hide.
 */
export function isCredentialKey(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}

export interface CustomTimeouts {
  create?: number;
  update?: number;
  delete?: number;
  read?: number;
}

/** One resource of a checkpoint (ResourceV3). Field names are the JSON keys. */
export interface ResourceState {
  urn: string;
  custom: boolean;
  type: string;
  delete?: boolean;
  id?: string;
  inputs?: PropertyMap;
  outputs?: PropertyMap;
  parent?: string;
  protect?: boolean;
  external?: boolean;
  dependencies?: string[];
  initErrors?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  pendingReplacement?: boolean;
  additionalSecretOutputs?: string[];
  customTimeouts?: CustomTimeouts;
  importID?: string;
  retainOnDelete?: boolean;
  deletedWith?: string;
  created?: string;
  modified?: string;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  sourcePosition?: string;
  // Written by newer Pulumi CLIs; kept so that a stack they wrote round-trips unchanged.
  aliases?: string[];
  stackTrace?: { sourcePosition?: string }[];
  hideDiff?: string[];
  replacementTrigger?: PropertyValue;
  /** Gated by the checkpoint feature `refreshBeforeUpdate` (written as version 4). */
  refreshBeforeUpdate?: boolean;
}

export type PendingOperationType = 'creating' | 'updating' | 'deleting' | 'reading' | 'importing';

export interface PendingOperation {
  resource: ResourceState;
  type: PendingOperationType;
}

/**
 * The decoded `latest` deployment of a checkpoint. When the state layer writes it, it keeps
 * `resources` in an order that satisfies the integrity rules (providers, parents and
 * dependencies before the resources that use them).
 */
export interface Deployment {
  manifest: { time: string; magic: string; version: string };
  resources: ResourceState[];
  pendingOperations: PendingOperation[];
}

/**
 * A durable change to a stack's deployment, recorded during an update. The state layer
 * replays journal records over the last full checkpoint when a stack is opened, so an
 * interrupted run loses nothing it recorded.
 *  - `put`: insert the resource, or replace the live (not `delete`) copy with the same URN.
 *  - `mark-delete`: flag the live copy of `urn` as `delete: true` (the old half of a
 *    create-before-delete replacement).
 *  - `remove`: drop the copy of `urn` (the `delete: true` copy when `deleted` is true).
 *  - `pending`: add a pending operation; `settle`: remove the pending operation of `urn`.
 */
export type JournalRecord =
  | { op: 'put'; resource: ResourceState }
  | { op: 'mark-delete'; urn: string }
  | { op: 'remove'; urn: string; deleted?: boolean }
  | { op: 'pending'; operation: PendingOperation }
  | { op: 'settle'; urn: string };

export type UpdateKind = 'update' | 'refresh' | 'destroy' | 'import' | 'state-edit';

export interface UpdateResult {
  result: 'succeeded' | 'failed';
  /** Counts per step kind, e.g. { create: 2, same: 40 }. */
  resourceChanges: Record<string, number>;
}

export interface LockInfo {
  pid: number;
  username: string;
  hostname: string;
  timestamp: string;
}

export interface StackSummary {
  name: string;
  lastUpdate: Date | undefined;
  /** Every resource of the checkpoint, the root stack included (as Pulumi counts). */
  resourceCount: number;
  /** It holds nothing but its root stack resource: what a complete destroy leaves (the stack's memory). */
  destroyed?: boolean;
}

export interface HistoryEntry {
  kind: UpdateKind | string;
  startTime: number;
  endTime: number;
  message: string;
  result: string;
  resourceChanges: Record<string, number>;
}

/** A stack opened for reading: its deployment with secrets decrypted and journal replayed. */
export interface StackHandle {
  readonly name: string;
  readonly deployment: Deployment;
  readonly lastUpdate: Date | undefined;
  history(limit?: number): Promise<HistoryEntry[]>;
  /** Takes the stack's lock (throws a lock error naming the holder) and starts an update. */
  beginUpdate(kind: UpdateKind, message?: string): Promise<StackUpdate>;
}

/** An update in progress, under the stack's lock. */
export interface StackUpdate {
  /** The deployment as of the last recorded change. */
  readonly deployment: Deployment;
  /**
   * Durably records changes before resolving. Bytes written are proportional to the
   * records, not to the size of the stack.
   */
  record(records: JournalRecord[]): Promise<void>;
  /**
   * Writes the full checkpoint (previous one kept as `.bak`), a history entry and a backup,
   * clears the journal and releases the lock.
   */
  finish(result: UpdateResult): Promise<void>;
  /** Releases the lock without a final checkpoint; recorded changes stay in the journal. */
  abandon(): Promise<void>;
}
