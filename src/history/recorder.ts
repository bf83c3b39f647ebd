// What a cluster deploy (or rollback) records besides the engine's own changes, at the end of
// the update, under the stack's lock and before its final checkpoint: the manifest registry
// (every run, with each manifest's status following its step), and for a complete, successful
// deployment the deployment metadata (root output `deploymentMeta`) and a sealed snapshot of
// the inputs that produced it. Each change is also an audit event of the command.
import { createHash } from 'node:crypto';
import type { AuditSession } from '../audit/index.ts';
import { MACHINE_RECORD_TYPE } from '../cluster/index.ts';
import { configHash, isConfigJson, toJSON } from '../config/index.ts';
import type { ClusterConfig } from '../config/index.ts';
import type { DesiredState, Plan } from '../engine/index.ts';
import { ManifestStore, register, registryHash, setStatus } from '../manifests/index.ts';
import type { Manifest, ManifestStatus, Registry } from '../manifests/index.ts';
import { configSecretValues, deploymentSecretValues, redactedConfig } from '../redact/index.ts';
import { reveal, setStackOutputs, stackOutputs } from '../state/index.ts';
import type { Deployment, OpenedStack, PropertyMap, StackUpdate, UpdateResult } from '../state/index.ts';
import pkg from '../../package.json' with { type: 'json' };
import { collectManifests } from './collect-manifests.ts';
import { changeSummary, nextDeploymentMeta } from './meta.ts';
import { migrateMeta, parseStoredMeta } from './migrate.ts';
import { poolsOfConfig } from './pools.ts';
import { deploymentNumberOf, SnapshotStore } from './snapshot.ts';
import type { DeployOptionsRecord, ResourceSummary, Snapshot } from './snapshot.ts';
import type { DeploymentMetadata, ManifestRegistryState } from './types.ts';

/** Where a recorder runs: at the end of an update, under the stack's lock, before its final checkpoint. */
export interface FinishContext {
  stack: OpenedStack;
  update: StackUpdate;
  result: UpdateResult;
  /** URNs whose step failed. */
  failures: ReadonlySet<string>;
  targeted: boolean;
}

/** What a use case records besides the engine's own changes (history, manifest registry). */
export interface UpdateRecorder {
  beforeFinish(ctx: FinishContext): Promise<void>;
}

/** A run was refused because the stack's records cannot be read; nothing was changed. */
export class RecordsError extends Error {
  readonly exitCode = 1;
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'RecordsError';
    this.hint = hint;
  }
}

export interface RollbackTarget {
  deploymentId: string;
  snapshotId: string;
  reason: string;
}

export interface DeploymentInputs {
  config: ClusterConfig;
  /** The Lisp text as deployed. */
  text: string;
  options: DeployOptionsRecord;
  command: 'deploy' | 'rollback' | 'nodes add' | 'nodes remove';
  message?: string;
  rollback?: RollbackTarget;
}

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const nameOf = (urn: string) => urn.slice(urn.lastIndexOf('::') + 2);
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Nodes (not the bastion) a deployment holds machines for. */
function nodeCount(d: Deployment): number {
  return d.resources.filter((r) => !r.delete && r.type === MACHINE_RECORD_TYPE && reveal(r.inputs?.kind) === 'node').length;
}

/** The stored `deploymentMeta`, migrated to the current schema (undefined when there is none). */
function storedMeta(d: Deployment, stack: string): ReturnType<typeof migrateMeta> | undefined {
  const raw = parseStoredMeta(reveal(stackOutputs(d, stack).deploymentMeta));
  return raw ? migrateMeta(raw) : undefined;
}

/** Lisp-style paths (`node-pools.workers.count`) whose redacted values differ, at most three levels deep. */
function changedConfigPaths(before: unknown, after: unknown): string[] | undefined {
  const isOurs = (c: unknown) => !!c && typeof c === 'object' && 'metadata' in c && 'nodePools' in c;
  if (!isOurs(before) || !isOurs(after)) return undefined;
  const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const out = new Set<string>();
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const objects = a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
    if (!objects || path.length >= 3) {
      out.add(path.map(kebab).join('.'));
      return;
    }
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k]);
  };
  walk(before, after, []);
  return [...out].sort();
}

/** A resource a plan would destroy or replace that is protected or holds data. */
export interface DangerousStep {
  urn: string;
  op: 'destroyed' | 'replaced';
  /** Why it matters: protected, a machine, holds data. */
  why: string;
}

const DATA_BEARING = /instance:Instance$|droplet:Droplet$|server:Server$|[Vv]olume|[Bb]ucket|[Dd]atabase|[Dd]isk/;

/** Resources a plan would delete or replace that are protected or hold data (machines, volumes). */
export function dangerousSteps(plan: Plan, stack: OpenedStack): DangerousStep[] {
  const live = new Map(stack.deployment.resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
  const out: DangerousStep[] = [];
  for (const s of plan.steps) {
    if ((s.op !== 'delete' && s.op !== 'replace') || s.replacedCopy) continue;
    const r = live.get(s.urn);
    const why = r?.protect ? 'protected' : DATA_BEARING.test(s.type) ? (/Instance|Droplet|Server/.test(s.type) ? 'a machine (its disk and etcd data go with it)' : 'holds data') : undefined;
    if (why) out.push({ urn: s.urn, op: s.op === 'delete' ? 'destroyed' : 'replaced', why });
  }
  return out;
}

export class ClusterRecorder implements UpdateRecorder {
  readonly session: AuditSession;
  readonly inputs: DeploymentInputs;
  desired: DesiredState | undefined;
  /** Set when the run recorded a deployment. */
  recorded: { meta: DeploymentMetadata; snapshot: Snapshot } | undefined;

  constructor(session: AuditSession, inputs: DeploymentInputs) {
    this.session = session;
    this.inputs = inputs;
    session.secret(...configSecretValues(inputs.config));
  }

  /**
   * Reads what recording this run will read, before anything changes: a record this version
   * cannot read (metadata from a newer version, a registry under another key) stops the run
   * here, not after the clouds changed.
   */
  async checkRecords(stack: OpenedStack): Promise<void> {
    const what = this.inputs.command;
    try {
      storedMeta(stack.deployment, stack.name);
    } catch (err) {
      throw new RecordsError(
        `refusing to ${what}: stack '${stack.name}' holds deployment metadata this version cannot read (${errorText(err)}); nothing was changed`,
        (err as { hint?: string }).hint ?? `Restore the stack from a backup or an export: sloth-kubernetes stacks import ${stack.name} FILE`,
      );
    }
    try {
      await new ManifestStore(stack.attachments).load();
      await new SnapshotStore(stack.attachments).ids();
    } catch (err) {
      throw new RecordsError(`refusing to ${what}: the records of stack '${stack.name}' cannot be read (${errorText(err)}); nothing was changed`, (err as { hint?: string }).hint);
    }
  }

  async beforeFinish(ctx: FinishContext): Promise<void> {
    if (!this.desired) return;
    const now = new Date();
    const after = ctx.update.deployment;
    this.session.secret(...deploymentSecretValues(after));
    const registry = await this.#recordManifests(ctx, now);
    if (ctx.result.result === 'succeeded' && !ctx.targeted) await this.#recordDeployment(ctx, registry, now);
  }

  async #recordManifests(ctx: FinishContext, now: Date): Promise<Registry> {
    const store = new ManifestStore(ctx.stack.attachments);
    const registry = await store.load();
    const before = new Map<string, { version: string; hash: string; status: ManifestStatus }>(Object.values(registry.manifests).map((m) => [m.id, { version: m.version, hash: m.hash, status: m.status }]));
    const collected = collectManifests(this.desired!, ctx.update.deployment, this.inputs.config, ctx.failures);
    const seen = new Set<string>();
    for (const c of collected) {
      seen.add(c.input.id);
      await store.putContent(c.input.content);
      register(registry, c.input, now);
      setStatus(registry, c.input.id, c.status, now);
    }
    // Registered before, planned no more, and its step gone from the stack: deleted.
    const live = new Set(ctx.update.deployment.resources.filter((r) => !r.delete).map((r) => nameOf(r.urn)));
    if (!ctx.targeted) {
      for (const m of Object.values(registry.manifests)) {
        if (!seen.has(m.id) && m.status !== 'deleted' && !(m.metadata.step && live.has(m.metadata.step))) setStatus(registry, m.id, 'deleted', now);
      }
    }
    for (const m of Object.values(registry.manifests)) {
      const old = before.get(m.id);
      if (old && old.hash === m.hash && old.status === m.status) continue;
      this.#manifestEvent(m, old);
    }
    await store.save(registry);
    return registry;
  }

  #manifestEvent(m: Manifest, old: { version: string; hash: string; status: ManifestStatus } | undefined): void {
    const action = m.status === 'deleted' ? 'delete' : m.status === 'applied' || m.status === 'failed' ? 'apply' : old ? 'update' : 'create';
    const verb = m.status === 'deleted' ? 'deleted' : m.status === 'applied' ? 'applied' : m.status === 'failed' ? 'failed to apply' : 'registered';
    this.session.event({
      type: 'manifest',
      action,
      resourceId: m.id,
      resourceType: m.type,
      description: `Manifest ${m.id} ${m.version} ${verb}${old && old.hash !== m.hash ? ` (was ${old.version})` : ''}`,
      ...(old ? { oldValue: old } : {}),
      newValue: { version: m.version, hash: m.hash, status: m.status },
      success: m.status !== 'failed',
      metadata: { node: m.metadata.node ?? '' },
    });
  }

  async #recordDeployment(ctx: FinishContext, registry: Registry, now: Date): Promise<void> {
    const { stack, update } = ctx;
    const before = stack.deployment;
    const after = update.deployment;
    const prev = storedMeta(before, stack.name);
    const prevConfigText = reveal(stackOutputs(before, stack.name).configJson);
    const prevConfig = typeof prevConfigText === 'string' ? safeJson(prevConfigText) : undefined;
    const configJson = toJSON(this.inputs.config, { showSecrets: true });
    const config = JSON.parse(configJson) as unknown;
    const pools = poolsOfConfig(config);
    const previousNodeCount = nodeCount(before) || (prev && !before.resources.some((r) => r.type === MACHINE_RECORD_TYPE) && before.resources.length > 1 ? prev.meta.currentNodeCount : 0);
    const live = Object.values(registry.manifests).filter((m) => m.status !== 'deleted');
    const manifestState: ManifestRegistryState = {
      version: String(registry.version),
      hash: registryHash(registry),
      manifests: live.map((m) => ({ name: m.id, type: m.type, version: m.version, hash: m.hash, status: m.status })),
      exportedAt: now.toISOString(),
    };
    const lispChecksum = sha256(this.inputs.text);
    const hash = configHash(this.inputs.config);
    const snapshots = new SnapshotStore(stack.attachments);
    const highestRecorded = Math.max(0, ...(await snapshots.ids()).map(deploymentNumberOf));
    const meta = nextDeploymentMeta(prev?.meta, {
      now,
      actor: this.session.actor,
      clusterName: this.inputs.config.metadata.name,
      configHash: hash,
      lispChecksum,
      pools,
      nodeCount: nodeCount(after),
      previousNodeCount,
      previousPools: prevConfig ? poolsOfConfig(prevConfig) : undefined,
      changedPaths: prevConfig && isConfigJson(prevConfigText as string) ? changedConfigPaths(redactedConfig(prevConfig), JSON.parse(toJSON(this.inputs.config))) : undefined,
      toolVersion: pkg.version,
      migrations: prev?.applied ?? [],
      manifests: { count: live.length, hashes: Object.fromEntries(live.map((m) => [m.id, m.hash])), registry: manifestState },
      rollback: this.inputs.rollback ? { targetDeployment: this.inputs.rollback.deploymentId, targetSnapshot: this.inputs.rollback.snapshotId, reason: this.inputs.rollback.reason } : undefined,
      highestRecorded,
    });
    const resources: Record<string, ResourceSummary> = {};
    for (const r of after.resources) {
      if (r.delete || r.type === 'pulumi:pulumi:Stack') continue;
      resources[r.urn] = { type: r.type, ...(r.id ? { id: r.id } : {}), ...(r.protect ? { protect: true } : {}) };
    }
    const snapshot: Snapshot = {
      id: meta.stateSnapshotId,
      deploymentId: meta.deploymentId,
      timestamp: meta.lastDeployedAt,
      status: 'active',
      configHash: hash,
      lispChecksum,
      resourceCount: Object.keys(resources).length,
      nodeCount: meta.currentNodeCount,
      resources,
      pools,
      metadata: {
        actor: this.session.actor,
        command: this.inputs.command,
        toolVersion: pkg.version,
        cluster: this.inputs.config.metadata.name,
        ...(this.inputs.message ? { message: this.inputs.message } : {}),
        ...(this.inputs.rollback ? { rollbackOf: this.inputs.rollback.deploymentId, rollbackSnapshot: this.inputs.rollback.snapshotId } : {}),
      },
      parentId: meta.parentStateId,
      changeLog: meta.changeLog,
      inputs: { lispManifest: this.inputs.text, configJson, options: this.inputs.options },
    };
    // Never over an existing snapshot: a taken id gets a suffix, and the record names the one written.
    snapshot.id = meta.stateSnapshotId = await snapshots.create(snapshot);
    await update.record([setStackOutputs(update.deployment, stack.name, { deploymentMeta: JSON.parse(JSON.stringify(meta)) as PropertyMap })]);
    this.recorded = { meta, snapshot };
    this.#deploymentEvents(meta, prev, prevConfig);
  }

  #deploymentEvents(meta: DeploymentMetadata, prev: ReturnType<typeof migrateMeta> | undefined, prevConfig: unknown): void {
    const s = this.session;
    const cluster = this.inputs.config.metadata.name;
    if (prev && prev.applied.length > 0) {
      s.event({ type: 'configuration', action: 'migrate', resourceId: 'deploymentMeta', resourceType: 'deploymentMeta', description: `Deployment metadata migrated from schema ${prev.from} (${prev.applied.join(', ')})`, oldValue: { schemaVersion: prev.from }, newValue: { schemaVersion: meta.schemaVersion } });
    }
    if (this.inputs.rollback) {
      s.event({ type: 'rollback', action: 'rollback', resourceId: cluster, resourceType: 'cluster', description: `Rolled back to ${this.inputs.rollback.deploymentId} as ${meta.deploymentId}: ${this.inputs.rollback.reason}`, oldValue: prev?.meta.deploymentId ?? null, newValue: this.inputs.rollback.deploymentId, metadata: { snapshot: this.inputs.rollback.snapshotId } });
    }
    if (!prev || prev.meta.configVersion?.config_hash !== meta.configVersion.config_hash) {
      const newRedacted = JSON.parse(toJSON(this.inputs.config)) as unknown;
      s.event({
        type: 'configuration',
        action: prev ? 'update' : 'create',
        resourceId: cluster,
        resourceType: 'cluster-config',
        description: prev ? `Configuration ${prev.meta.configVersion?.config_hash?.slice(0, 12) ?? '?'} → ${meta.configVersion.config_hash.slice(0, 12)}` : `Configuration ${meta.configVersion.config_hash.slice(0, 12)} recorded`,
        ...(prevConfig ? { oldValue: redactedConfig(prevConfig) } : {}),
        newValue: newRedacted,
        metadata: { configHash: meta.configVersion.config_hash },
      });
    }
    s.event({
      type: 'deployment',
      action: prev ? 'update' : 'create',
      resourceId: cluster,
      resourceType: 'cluster',
      description: `${meta.deploymentId}: ${changeSummary(meta.changeLog)}`,
      oldValue: prev ? { deploymentId: prev.meta.deploymentId, nodeCount: prev.meta.currentNodeCount } : null,
      newValue: { deploymentId: meta.deploymentId, nodeCount: meta.currentNodeCount, snapshot: meta.stateSnapshotId, changeLog: meta.changeLog.map((e) => ({ changeType: e.changeType, resourceId: e.resourceId, description: e.description })) },
      metadata: { deploymentId: meta.deploymentId, snapshot: meta.stateSnapshotId, configHash: meta.configVersion.config_hash },
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
