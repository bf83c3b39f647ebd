// The stack store: one backend, the stacks in it, and every operation on a stack as a whole
// (create, open, delete, cancel, export, import). Opening decrypts and replays the journal;
// anything that changes a stack takes its lock first; reads take none.
import type { BlobStore } from './blob/blob-store.ts';
import { FileBlobStore } from './blob/file-store.ts';
import { parseBackendUrl } from './backend-url.ts';
import type { BackendSource, BackendSpec } from './backend-url.ts';
import {
  checkFeatures,
  decodeDeployment,
  encodeDeployment,
  newManifest,
  parseJson,
  readCheckpoint,
  readRawDeployment,
  serializeCheckpoint,
  serializeExport,
} from './checkpoint/checkpoint.ts';
import type { RawDeployment } from './checkpoint/checkpoint.ts';
import { checkIntegrity, sortForIntegrity } from './checkpoint/integrity.ts';
import type { IntegrityProblem } from './checkpoint/integrity.ts';
import type { JsonObject } from './checkpoint/resources.ts';
import { holdsSecretObject } from './checkpoint/property-values.ts';
import {
  BackendConfigError,
  CheckpointError,
  StackExistsError,
  StackNotFoundError,
  StateError,
} from './errors.ts';
import type { LockHolder } from './errors.ts';
import { historyJson, readHistory } from './history.ts';
import { checkpointHash } from './journal.ts';
import type { StoredHistoryEntry } from './history.ts';
import { checkStackName, keys, META_KEY, qualifiedName } from './layout.ts';
import { acquireLock, cancelLocks, lockHolders } from './lock.ts';
import type { Crypter, PassphraseSource } from './secrets/crypter.ts';
import { createCrypter, sameProvider, unlockCrypter } from './secrets/provider.ts';
import type { NewStackSecrets } from './secrets/provider.ts';
import { effectiveEnv, readSettings } from './settings.ts';
import type { Env } from './settings.ts';
import { checkpointKeyOf, listStackNames, locate, lostStacks, readRawStack, recoveryHint } from './stack-files.ts';
import type { RawStack } from './stack-files.ts';
import { Update, writeCheckpoint, writeHistory } from './update.ts';
import { StackAttachments } from './attachments.ts';
import type { EditPlan } from './state-edit.ts';
import type { Deployment, HistoryEntry, StackHandle, StackSummary, StackUpdate, UpdateKind } from './types.ts';

export interface StoreOptions {
  /** The environment as the CLI got it (io.env). The settings file fills in what it lacks. */
  env: Env;
  homedir: string;
  cwd: string;
  /** A backend URL given explicitly (a flag); otherwise PULUMI_BACKEND_URL, the settings file, file://~. */
  backendUrl?: string;
}

export interface OpenOptions {
  passphrase?: PassphraseSource;
  /**
   * 'strict' (default): a checkpoint that breaks the integrity rules is an error.
   * 'report': open it anyway and list the problems in `problems` (state surgery, export).
   */
  integrity?: 'strict' | 'report';
  /**
   * For reading only (preview): a checkpoint that holds no secret is opened without asking for
   * the passphrase or deriving the key; one that holds secrets asks for the passphrase, and
   * derives the key and decrypts a secret only when its value is read (a no-change preview
   * reads none). The handle refuses to begin an update.
   */
  readOnly?: boolean;
}

export interface OpenedStack extends StackHandle {
  /** Integrity problems found on open ('report' mode); order problems are already fixed in memory. */
  readonly problems: IntegrityProblem[];
  readonly secretsDescription: string;
  /** Journal records replayed over the checkpoint (an update was interrupted or is running). */
  readonly journalRecords: number;
  history(limit?: number): Promise<StoredHistoryEntry[]>;
  /** The stack's attachment objects, sealed with its secrets provider. */
  readonly attachments: StackAttachments;
}

export interface StackInspection {
  name: string;
  backend: string;
  lastUpdate: Date | undefined;
  secretsProvider: string | undefined;
  resources: JsonObject[];
  pendingOperations: number;
  journalRecords: number;
  lastResult: HistoryEntry | undefined;
  locks: LockHolder[];
  checkpointVersion: number;
}

interface HandleView {
  hash: string;
  journalKeys: string[];
  deployment: Deployment;
  lastUpdate: Date | undefined;
  problems: IntegrityProblem[];
  provider: RawDeployment['secrets_providers'];
  /** Why this handle cannot start an update (one is running, or was abandoned). */
  stale?: string;
}

export interface ImportResult {
  warnings: string[];
  resources: number;
}

export async function openStateStore(opts: StoreOptions): Promise<StateStore> {
  const settings = await readSettings(opts.homedir);
  const env = await effectiveEnv(opts.env, opts.homedir, settings);
  let url: string;
  let source: BackendSource;
  if (opts.backendUrl) [url, source] = [opts.backendUrl, 'flag'];
  else if (opts.env.PULUMI_BACKEND_URL) [url, source] = [opts.env.PULUMI_BACKEND_URL, 'environment'];
  else if (settings.PULUMI_BACKEND_URL) [url, source] = [settings.PULUMI_BACKEND_URL, 'config file'];
  else [url, source] = ['file://~', 'default'];
  const spec = parseBackendUrl(url, { homedir: opts.homedir, cwd: opts.cwd });
  return new StateStore(await openBlobStore(spec, env), spec, source, env);
}

/** The AWS SDK is loaded only for an s3:// backend: it costs ~0.1 s of start-up. */
export async function openBlobStore(spec: BackendSpec, env: Env): Promise<BlobStore> {
  if (spec.scheme === 'file') return new FileBlobStore(spec.root, spec.url);
  const { S3BlobStore } = await import('./blob/s3-store.ts');
  return new S3BlobStore(spec, env);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function countable(resources: readonly { type?: unknown }[]): number {
  return resources.filter((r) => r.type !== 'pulumi:pulumi:Stack').length;
}

/** The stack holds nothing but its root stack resource: what a complete destroy leaves (the stack's memory). */
export function holdsOnlyItsRoot(resources: readonly { type?: unknown }[]): boolean {
  return resources.length > 0 && countable(resources) === 0;
}

export class StateStore {
  readonly blob: BlobStore;
  readonly spec: BackendSpec;
  /** Where the backend URL came from. */
  readonly source: BackendSource;
  /** The environment with ~/.sloth-kubernetes/config filled in (for passphrases, AWS). */
  readonly env: Env;

  constructor(blob: BlobStore, spec: BackendSpec, source: BackendSource, env: Env) {
    this.blob = blob;
    this.spec = spec;
    this.source = source;
    this.env = env;
  }

  get url(): string {
    return this.spec.url;
  }

  close(): void {
    this.blob.close();
  }

  private checkName(name: string): void {
    checkStackName(name);
  }

  /** `.pulumi/meta.yaml`: version 1 (project layout) is the only layout we read and write. */
  private async checkLayout(write: boolean): Promise<void> {
    const meta = await this.blob.get(META_KEY);
    if (meta) {
      const m = /^\s*version\s*:\s*(\S+)\s*$/m.exec(meta.toString('utf8'));
      const version = m ? Number(m[1]) : NaN;
      if (version === 1) return;
      if (version === 0) throw this.legacy();
      throw new BackendConfigError(
        Number.isInteger(version)
          ? `${locate(this.blob, META_KEY)}: 'meta.yaml' version (${version}) is not supported`
          : `${locate(this.blob, META_KEY)}: corrupt store (no integer version)`,
      );
    }
    const legacy = (await this.blob.list('.pulumi/stacks/')).some((o) => /^\.pulumi\/stacks\/[^/]+\.json/.test(o.key));
    if (legacy) throw this.legacy();
    if (write) await this.blob.put(META_KEY, 'version: 1\n');
  }

  private legacy(): StateError {
    return new BackendConfigError(`the backend ${this.url} uses Pulumi's legacy layout, which sloth-kubernetes does not read`, {
      hint: 'Upgrade it with the Pulumi CLI: pulumi login <url> && pulumi state upgrade',
    });
  }

  /** The stacks' names only (one listing of the backend; no checkpoint is read). */
  async stackNames(): Promise<string[]> {
    await this.checkLayout(false);
    return listStackNames(this.blob);
  }

  async listStacks(): Promise<(StackSummary & { problem?: string })[]> {
    await this.checkLayout(false);
    const out: (StackSummary & { problem?: string })[] = [];
    for (const name of await listStackNames(this.blob)) {
      try {
        const raw = await readRawStack(this.blob, name);
        if (!raw) continue;
        const resources = raw.latest?.resources ?? [];
        out.push({ name, lastUpdate: raw.latest ? new Date(raw.latest.manifest.time) : undefined, resourceCount: resources.length, ...(holdsOnlyItsRoot(resources) ? { destroyed: true } : {}) });
      } catch (err) {
        if (!(err instanceof StateError)) throw err;
        out.push({ name, lastUpdate: undefined, resourceCount: 0, problem: err.message });
      }
    }
    return out;
  }

  async stackExists(name: string): Promise<boolean> {
    this.checkName(name);
    return (await checkpointKeyOf(this.blob, name)) !== undefined;
  }

  /**
   * Stacks (or the one named) whose checkpoint is gone while their history holds checkpoints,
   * each with how to restore it (`stacks import` of the newest good one).
   */
  async lostStacks(name?: string): Promise<{ stack: string; hint: string }[]> {
    if (name !== undefined) this.checkName(name);
    await this.checkLayout(false);
    return lostStacks(this.blob, name);
  }

  private async requireRaw(name: string): Promise<RawStack> {
    this.checkName(name);
    await this.checkLayout(false);
    const raw = await readRawStack(this.blob, name);
    if (!raw) throw new StackNotFoundError(name, this.url);
    return raw;
  }

  async createStack(name: string, secrets: NewStackSecrets): Promise<{ secretsDescription: string }> {
    this.checkName(name);
    await this.checkLayout(false);
    if (await this.stackExists(name)) throw new StackExistsError(name, this.url);
    const crypter = await createCrypter(secrets, this.env, name);
    await this.checkLayout(true);
    const lock = await acquireLock(this.blob, name);
    try {
      if (await this.stackExists(name)) throw new StackExistsError(name, this.url);
      const raw: RawDeployment = { manifest: newManifest(), secrets_providers: crypter.provider, resources: [], pending_operations: [] };
      await this.blob.put(keys.checkpoint(name), serializeCheckpoint(qualifiedName(name), raw));
    } finally {
      await lock.release();
    }
    return { secretsDescription: crypter.description };
  }

  private async unlock(raw: RawStack, opts: OpenOptions): Promise<Crypter | undefined> {
    const provider = raw.latest?.secrets_providers;
    const hasSecrets = raw.latest ? holdsSecretObject(raw.latest.resources) : false;
    if (!hasSecrets && (opts.readOnly || !provider || !['passphrase', 'cloud'].includes(provider.type))) return undefined; // read-only until re-encrypted
    return unlockCrypter(provider, raw.name, this.env, opts.passphrase, { onUse: opts.readOnly });
  }

  async openStack(name: string, opts: OpenOptions = {}): Promise<OpenedStack> {
    const raw = await this.requireRaw(name);
    const crypter = await this.unlock(raw, opts);
    const location = locate(this.blob, raw.key);
    const deployment: Deployment = raw.latest
      ? decodeDeployment(
          raw.latest,
          (ct, where) => {
            if (!crypter) throw new CheckpointError(location, `${where} holds a secret but the stack has no secrets provider`);
            return crypter.decrypt(ct, where);
          },
          location,
          opts.readOnly,
        )
      : { manifest: newManifest(new Date(0)), resources: [], pendingOperations: [] };
    const problems = raw.latest ? checkIntegrity(deployment.resources, raw.latest.manifest) : [];
    const serious = problems.filter((p) => p.kind !== 'order');
    if (serious.length > 0 && opts.integrity !== 'report') {
      throw new CheckpointError(
        location,
        `breaks the integrity rules: ${serious.slice(0, 3).map((p) => p.message).join('; ')}${serious.length > 3 ? ` (and ${serious.length - 3} more)` : ''}`,
        `Repair it with: sloth-kubernetes stacks state repair ${name} --dry-run\n${await recoveryHint(this.blob, name)}`,
      );
    }
    // Strict opens hand out resources in integrity order; 'report' opens show them as stored.
    if (opts.integrity !== 'report' && problems.some((p) => p.kind === 'order')) deployment.resources = sortForIntegrity(deployment.resources).resources;
    return this.handle(raw, deployment, crypter, problems, opts.readOnly === true);
  }

  private handle(raw: RawStack, deployment: Deployment, crypter: Crypter | undefined, problems: IntegrityProblem[], readOnly = false): OpenedStack {
    // What the handle knows of the stack; its own updates move it forward, so one handle can
    // run several updates in a row (refresh, then update).
    const view: HandleView = {
      hash: raw.hash,
      journalKeys: raw.journalKeys,
      deployment,
      lastUpdate: raw.latest ? new Date(raw.latest.manifest.time) : undefined,
      problems,
      provider: raw.latest?.secrets_providers,
    };
    const blob = this.blob;
    return {
      name: raw.name,
      get deployment() {
        return view.deployment;
      },
      get lastUpdate() {
        return view.lastUpdate;
      },
      get problems() {
        return view.problems;
      },
      secretsDescription: crypter?.description ?? 'none',
      journalRecords: raw.journalRecords,
      attachments: new StackAttachments(blob, raw.name, crypter),
      history: (limit?: number) => readHistory(blob, raw.name, limit),
      beginUpdate: (kind: UpdateKind, message = '') =>
        readOnly ? Promise.reject(new StateError(`stack '${raw.name}' was opened for reading only`)) : this.beginUpdate(raw.name, view, crypter, kind, message),
    };
  }

  private async beginUpdate(name: string, view: HandleView, crypter: Crypter | undefined, kind: UpdateKind, message: string): Promise<StackUpdate> {
    if (view.stale) throw new StateError(view.stale, { hint: 'Open the stack again.' });
    if (!crypter) {
      await unlockCrypter(view.provider, name, this.env, undefined); // throws the reason
      throw new StateError(`stack '${name}' has no usable secrets provider`);
    }
    if (kind !== 'state-edit' && view.problems.some((p) => p.kind !== 'order')) {
      throw new StateError(`stack '${name}' breaks the integrity rules; repair it before updating`, {
        hint: `sloth-kubernetes stacks state repair ${name} --dry-run`,
      });
    }
    const lock = await acquireLock(this.blob, name);
    try {
      const now = await readRawStack(this.blob, name);
      if (!now) throw new StackNotFoundError(name, this.url);
      if (now.hash !== view.hash || now.journalKeys.join() !== view.journalKeys.join()) {
        throw new StateError(`stack '${name}' was changed by another update since it was opened`, { hint: 'Run the command again.' });
      }
      const deployment = view.deployment;
      let base = now.hash;
      let checkpointKey = now.key;
      if (now.journalKeys.length > 0 || now.staleJournalKeys.length > 0 || now.key !== keys.checkpoint(name)) {
        // Fold what an interrupted update recorded into a checkpoint before starting anew.
        const bytes = serializeCheckpoint(qualifiedName(name), encodeDeployment(deployment, crypter));
        await writeCheckpoint(this.blob, name, bytes, now.key);
        await this.blob.deleteMany([...now.journalKeys, ...now.staleJournalKeys]);
        base = checkpointHash(bytes);
        checkpointKey = keys.checkpoint(name);
        Object.assign(view, { hash: base, journalKeys: [] });
      }
      const update = new Update(
        {
          blob: this.blob,
          stack: name,
          lock,
          crypter,
          kind,
          message,
          base,
          checkpointKey,
          tolerateIntegrityProblems: kind === 'state-edit',
          onFinished: (hash, d) => {
            Object.assign(view, { hash, journalKeys: [], deployment: d, lastUpdate: new Date(d.manifest.time), problems: checkIntegrity(d.resources, d.manifest), stale: undefined });
          },
          onAbandoned: () => {
            view.stale = `the update of stack '${name}' was abandoned; its records are in the journal`;
          },
        },
        { manifest: deployment.manifest, resources: [...deployment.resources], pendingOperations: [...deployment.pendingOperations] },
      );
      view.stale = `an update of stack '${name}' is already in progress on this handle`;
      return update;
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Everything `stacks info` shows, without decrypting anything. */
  async inspectStack(name: string): Promise<StackInspection> {
    const raw = await this.requireRaw(name);
    const [last] = await readHistory(this.blob, name, 1);
    return {
      name,
      backend: this.url,
      lastUpdate: raw.latest ? new Date(raw.latest.manifest.time) : undefined,
      secretsProvider: raw.latest?.secrets_providers?.type,
      resources: raw.latest?.resources ?? [],
      pendingOperations: raw.latest?.pending_operations.length ?? 0,
      journalRecords: raw.journalRecords,
      lastResult: last,
      locks: await lockHolders(this.blob, name),
      checkpointVersion: raw.parsed.version,
    };
  }

  async history(name: string, limit?: number): Promise<StoredHistoryEntry[]> {
    await this.requireRaw(name);
    return readHistory(this.blob, name, limit);
  }

  async deleteStack(name: string, opts: { force?: boolean } = {}): Promise<{ resources: number }> {
    this.checkName(name);
    await this.checkLayout(false);
    let count = 0;
    try {
      const raw = await this.requireRaw(name);
      count = countable(raw.latest?.resources ?? []);
    } catch (err) {
      if (!(err instanceof CheckpointError && opts.force)) throw err;
    }
    if (count > 0 && !opts.force) {
      throw new StateError(`stack '${name}' still has ${count} resource${count === 1 ? '' : 's'}`, {
        hint:
          `Destroy them first with: sloth-kubernetes destroy ${name}\n` +
          'Or pass --force to delete the state anyway: the cloud resources are NOT destroyed and will no longer be tracked.',
      });
    }
    const lock = await acquireLock(this.blob, name);
    try {
      const current = keys.checkpoint(name);
      const main = await checkpointKeyOf(this.blob, name);
      if (main) await this.blob.copy(main, keys.checkpointBackup(name));
      await this.blob.deleteMany([current, `${current}.gz`, `${current}.zst`]);
      for (const dir of [keys.historyDir(name), keys.journalDir(name)]) await this.blob.deleteMany((await this.blob.list(dir)).map((o) => o.key));
    } finally {
      await lock.release();
    }
    return { resources: count };
  }

  /** Removes the stack's locks (the holder is not signalled); returns who held them. */
  async cancel(name: string): Promise<LockHolder[]> {
    await this.requireRaw(name).catch((err: unknown) => {
      if (!(err instanceof CheckpointError)) throw err; // a broken stack can still be unlocked
    });
    return cancelLocks(this.blob, name);
  }

  /** Pulumi's export format; secrets stay encrypted unless `showSecrets` (then a passphrase/KMS is needed). */
  async exportStack(name: string, opts: { showSecrets?: boolean; passphrase?: PassphraseSource } = {}): Promise<string> {
    const raw = await this.requireRaw(name);
    const latest: RawDeployment = raw.latest ?? { manifest: newManifest(new Date(0)), resources: [], pending_operations: [] };
    if (!opts.showSecrets) {
      const sorted = sortForIntegrity(latest.resources as never[]).resources as JsonObject[];
      return serializeExport({ ...latest, resources: sorted });
    }
    const crypter = await this.unlock(raw, { passphrase: opts.passphrase });
    const location = locate(this.blob, raw.key);
    const d = decodeDeployment(latest, (ct, where) => crypter!.decrypt(ct, where), location);
    const out = encodeDeployment(d, crypter, { showSecrets: true });
    return serializeExport({ ...out, manifest: latest.manifest });
  }

  /**
   * Replaces the stack's deployment with an exported one (Pulumi's export format, or a
   * checkpoint file such as a history copy). Secrets are re-encrypted with the stack's own
   * secrets provider.
   */
  async importStack(
    name: string,
    text: string,
    opts: { force?: boolean; passphrase?: PassphraseSource; source?: string } = {},
  ): Promise<ImportResult> {
    this.checkName(name);
    const source = opts.source ?? 'the imported file';
    const doc = parseJson(Buffer.from(text, 'utf8'), source);
    if (!isObject(doc)) throw new CheckpointError(source, 'is not a JSON object');
    let incoming: RawDeployment;
    if ('deployment' in doc) {
      const version = doc.version;
      if (typeof version !== 'number' || version < 1 || version > 4) {
        throw new CheckpointError(source, `has unsupported deployment version ${JSON.stringify(version)} (1 to 4 are accepted)`);
      }
      checkFeatures(version, Array.isArray(doc.features) ? (doc.features as string[]) : [], source);
      if (!isObject(doc.deployment)) throw new CheckpointError(source, 'has no "deployment" object');
      incoming = readRawDeployment(doc.deployment, !isObject(doc.deployment.manifest), (p) => new CheckpointError(source, p));
    } else {
      const parsed = readCheckpoint(doc, source);
      if (!parsed.latest) throw new CheckpointError(source, 'holds no deployment');
      incoming = parsed.latest;
    }
    // The target stack must exist (or have lost only its checkpoint: import restores it); its
    // secrets provider is the one secrets end up under.
    this.checkName(name);
    await this.checkLayout(false);
    let target: RawStack | undefined;
    try {
      target = await readRawStack(this.blob, name);
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err; // a broken stack may be restored by import
    }
    if (!target && !(await this.stackExists(name)) && (await lostStacks(this.blob, name)).length === 0) throw new StackNotFoundError(name, this.url);
    const targetProvider = target?.latest?.secrets_providers ?? incoming.secrets_providers;
    const targetCrypter = await unlockCrypter(targetProvider, name, this.env, opts.passphrase);
    const sourceCrypter = sameProvider(incoming.secrets_providers, targetCrypter.provider) || !incoming.secrets_providers
      ? targetCrypter
      : await unlockCrypter(incoming.secrets_providers, name, this.env, opts.passphrase);

    const warnings: string[] = [];
    const d = decodeDeployment(incoming, (ct, where) => sourceCrypter.decrypt(ct, where), source);
    const wrongStack = d.resources.filter((r) => r.urn.split('::')[0] !== `urn:pulumi:${name}`);
    if (wrongStack.length > 0) {
      const msg = `${wrongStack.length} resource URN(s) belong to another stack, e.g. ${wrongStack[0]!.urn}`;
      if (!opts.force) throw new CheckpointError(source, msg, `Import into stack '${name}' anyway with --force.`);
      warnings.push(msg);
    }
    const problems = checkIntegrity(d.resources, incoming.manifest).filter((p) => p.kind !== 'order' && p.kind !== 'magic');
    if (problems.length > 0) {
      const msg = `breaks the integrity rules: ${problems.slice(0, 3).map((p) => p.message).join('; ')}`;
      if (!opts.force) throw new CheckpointError(source, msg, 'Import it anyway with --force, then run: sloth-kubernetes stacks state repair ' + name);
      warnings.push(msg);
    }
    for (const p of d.pendingOperations) warnings.push(`dropped pending operation '${p.type}' on ${p.resource.urn}`);
    const deployment: Deployment = { manifest: newManifest(), resources: d.resources, pendingOperations: [] };
    const bytes = serializeCheckpoint(qualifiedName(name), encodeDeployment(deployment, targetCrypter, { reuseCiphertext: false }));

    const lock = await acquireLock(this.blob, name);
    try {
      const current = target?.key ?? (await checkpointKeyOf(this.blob, name));
      await writeCheckpoint(this.blob, name, bytes, current);
      const now = Math.floor(Date.now() / 1000);
      await writeHistory(
        this.blob,
        name,
        historyJson({ kind: 'state-edit', startTime: now, endTime: now, message: `stack import from ${source}`, result: 'succeeded', resourceChanges: {} }),
      );
      await this.blob.deleteMany((await this.blob.list(keys.journalDir(name))).map((o) => o.key));
    } finally {
      await lock.release();
    }
    return { warnings, resources: deployment.resources.length };
  }

  /**
   * State surgery: `plan` computes the new resources from the stack as opened; unless
   * `dryRun`, they are written under the lock with a `state-edit` history entry.
   */
  async editStack(
    name: string,
    opts: OpenOptions & { dryRun?: boolean; message: string },
    plan: (d: Deployment) => EditPlan,
  ): Promise<EditPlan> {
    const stack = await this.openStack(name, { ...opts, integrity: 'report' });
    const result = plan(stack.deployment);
    const magicWrong = stack.problems.some((p) => p.kind === 'magic');
    if (opts.dryRun || (result.changes.length === 0 && !magicWrong)) return result;
    const update = (await stack.beginUpdate('state-edit', opts.message)) as Update;
    try {
      update.replaceResources(result.resources);
    } catch (err) {
      await update.abandon();
      throw err;
    }
    await update.finish({ result: 'succeeded', resourceChanges: {} });
    return result;
  }

  /**
   * A stack's attachment objects without its secrets (nothing is decrypted): raw reads and
   * writes only, for commands that do not open the stack (cancel, delete).
   */
  attachments(name: string): StackAttachments {
    this.checkName(name);
    return new StackAttachments(this.blob, name);
  }

  /** Who holds the stack's lock right now (empty when unlocked). */
  async locks(name: string): Promise<LockHolder[]> {
    await this.requireRaw(name);
    return lockHolders(this.blob, name);
  }
}
