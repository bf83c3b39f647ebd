// Manifests diff --live: the recorded manifest against the objects live in the cluster, read
// the way the deploy applied them — over SSH to the API node (the step's recorded connection:
// pinned host key, bastion hop, deploy key from the stack), with the node's own kubectl and
// admin kubeconfig (`kubectl get -f - -o json`, the manifest on stdin). The registry follows:
// applied ⇄ out_of_sync, written under the stack's lock, audited. The report returned is
// redacted (the stack's secrets, credential-named keys) unless showSecrets; a Secret's data is
// never in it.
import { apiNodeAccess, type NodeAccess } from '../cluster/remote/access.ts';
import { nodeKubectl, readLiveObjects } from '../cluster/remote/node-command.ts';
import { SshError } from '../cluster/remote/ssh.ts';
import { TemplateError } from '../cluster/bootstrap/template.ts';
import type { ClusterConfig } from '../config/index.ts';
import { storedConfig } from '../history/index.ts';
import { reconcile } from '../history/recorders.ts';
import { diffWithLive, findManifest, kubectlGetItems, ManifestObjectsError, ManifestStore, recordedObjects, setStatus, unknownKinds } from '../manifests/index.ts';
import type { Difference, KubeObject, LiveDiff, Manifest, ManifestStatus, Registry, UnknownKind } from '../manifests/index.ts';
import { redactUnder, scrubText, stackSecretValues } from '../redact/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { sshFailure } from './node-access.ts';
import { auditSession, withAuditedStack } from './stack.ts';

export interface LiveDiffInput {
  stack?: string;
  /** The manifest's id (or a unique part of it). */
  manifest: string;
  /** Values in the report unredacted (a Secret's data is never in it). */
  showSecrets?: boolean;
}

export interface LiveDiffReport {
  id: string;
  version: string;
  hash: string;
  /** Where the objects were read: the API node, and the bastion it was reached through. */
  node: string;
  via?: string;
  diff: LiveDiff;
  status: { before: string; after: string; recorded: boolean; note?: string };
}

const READ_TIMEOUT_MS = 120_000;

/** Could not compare (no API node, SSH, kubectl): not the same as "differs". */
const fail = (message: string, hint?: string) => new OpsError('not-compared', message, hint);

/** Manifests that are files on a node or install records, not Kubernetes objects. */
function notObjects(m: Manifest): string | undefined {
  if (m.type === 'rke' || m.type === 'rke2' || m.type === 'k3s') return `the ${m.type.toUpperCase()} configuration file of node ${m.metadata.node ?? '?'}`;
  if (m.id === 'argocd-install') return 'a record of the ArgoCD release installed (its objects come from the release manifest)';
  return undefined;
}

function kubectlOf(stack: OpenedStack): string[] {
  const stored = storedConfig(stack);
  if (!stored.ours || !stored.configJson) throw fail(`stack '${stack.name}' holds no configuration of this version of sloth-kubernetes, so the node's kubectl is not known`, `Deploy it once with this version: sloth-kubernetes deploy ${stack.name} --config FILE`);
  const k = (JSON.parse(stored.configJson) as ClusterConfig).kubernetes;
  const distribution = k.distribution as 'rke2' | 'k3s';
  const options = (distribution === 'rke2' ? k.rke2 : k.k3s) as { dataDir?: string } | undefined;
  return nodeKubectl({ distribution, dataDir: options?.dataDir });
}

function kubectlFailure(code: number, stderr: string, kubectl: string[], node: string, secrets: readonly string[]): OpsError {
  // kubectl repeats an error once per object of the manifest: each distinct line once.
  const tail = scrubText([...new Set(stderr.trimEnd().split('\n'))].slice(-10).join('\n'), secrets);
  if (code === 127 || /command not found|No such file or directory/.test(stderr)) {
    return fail(`kubectl was not found on the API node ${node} (${kubectl[0]}): Kubernetes is not installed there`, 'Run a deploy without --no-bootstrap to install it, then compare again.');
  }
  if (/sudo: .*password is required|sudo: a terminal is required/.test(stderr)) {
    return fail(`the login user on ${node} cannot run kubectl as root without a password (sudo -n refused)`, 'The deploy configures passwordless sudo for its login user; check /etc/sudoers.d on the node.');
  }
  return fail(`kubectl on the API node ${node} failed (exit ${code})${tail ? `:\n${tail}` : ''}`, `Check the cluster's API server on ${node} (RKE2: systemctl status rke2-server; K3s: systemctl status k3s), then compare again.`);
}

/** The secrets this command knows, scrubbed from every message and redacted from the output. */
function secretsOf(access: NodeAccess, known: readonly string[]): string[] {
  return [...known, access.ssh.privateKey, ...access.ssh.privateKey.split('\n').filter((l) => l.length >= 16)];
}

interface StatusMove {
  before: ManifestStatus;
  after: ManifestStatus;
  /** Set when the registry must be written. */
  write?: ManifestStatus;
  note?: string;
}

/**
 * What the comparison means for the registry: applied → out_of_sync on differences, back to
 * applied when in sync — unless the stack itself no longer records the applied version (the
 * stack-based out_of_sync a refresh or state surgery causes stays). Pending, failed and
 * deleted manifests keep their status: the live comparison does not say whether a step ran.
 */
function statusMove(persisted: Registry, deployment: OpenedStack['deployment'], m: Manifest, inSync: boolean): StatusMove {
  const stored = persisted.manifests[m.id]!.status;
  const shown = m.status; // after reconciling with the stack
  if (!inSync) {
    if (shown !== 'applied' && shown !== 'out_of_sync') return { before: shown, after: shown, note: `Status stays ${shown}: only applied manifests are marked out_of_sync.` };
    return { before: shown, after: 'out_of_sync', ...(stored !== 'out_of_sync' ? { write: 'out_of_sync' as const } : {}) };
  }
  if (shown !== 'out_of_sync') return { before: shown, after: shown };
  const trial = structuredClone(persisted);
  trial.manifests[m.id]!.status = 'applied';
  if (reconcile(trial, deployment).manifests[m.id]!.status !== 'applied') {
    return { before: shown, after: shown, note: `Status stays out_of_sync: the stack no longer records step '${m.metadata.step}' with this version (a refresh, an import or state surgery changed it); a deploy records it again.` };
  }
  return { before: shown, after: 'applied', write: 'applied' };
}

/** Compares the manifest's current version with the cluster and moves its status accordingly. */
export async function diffManifestLive(ctx: OpsContext, input: LiveDiffInput): Promise<LiveDiffReport> {
  const ref = input.manifest;
  const audit = auditSession(ctx, 'manifests diff', {
    type: 'manifest',
    action: 'read',
    severity: input.showSecrets ? 'warning' : 'info',
    resourceId: ref,
    resourceType: 'manifest',
    description: `manifest ${ref} compared with the live cluster`,
  });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const manifests = new ManifestStore(stack.attachments);
    const persisted = await manifests.load();
    const reg = reconcile(structuredClone(persisted), stack.deployment);
    const found = findManifest(reg, ref);
    const m = found && !Array.isArray(found) ? found : undefined;
    let access: NodeAccess | undefined;
    try {
      access = apiNodeAccess(stack.deployment, m?.metadata.step ? [m.metadata.step] : []);
    } catch (err) {
      if (err instanceof TemplateError) throw fail(`stack '${stack.name}' records the API node's connection incompletely (${err.message})`, `Deploy again to record it: sloth-kubernetes deploy ${stack.name} --config FILE`);
      throw err;
    }
    if (!access) {
      throw fail(`stack '${stack.name}' records no API node to read the live objects from: it was never deployed, or deployed with --no-bootstrap (no Kubernetes installed)`, `Deploy the cluster with Kubernetes first: sloth-kubernetes deploy ${stack.name} --config FILE`);
    }
    if (!found) throw new OpsError('invalid', `stack '${stack.name}' has no manifest '${ref}'`, `List them with: sloth-kubernetes manifests list ${stack.name}`);
    if (Array.isArray(found)) throw new OpsError('invalid', `'${ref}' names ${found.length} manifests: ${found.map((x) => x.id).join(', ')}`, 'Use the id.');
    const what = notObjects(found);
    if (what) throw new OpsError('invalid', `${found.id} is ${what}, not Kubernetes objects: there is nothing in the cluster to compare it with`, 'Compare its recorded versions instead: --from vN --to vM.');
    const content = await manifests.content(found.hash);
    if (content === undefined) throw fail(`the content of ${found.id} ${found.version} is not stored (the deploy that registered it was interrupted before saving it)`);
    try {
      if (recordedObjects(content).length === 0) throw fail(`${found.id} ${found.version} declares no Kubernetes object`);
    } catch (err) {
      if (err instanceof ManifestObjectsError) throw fail(`${found.id} ${found.version} cannot be compared object by object: ${err.message}`);
      throw err;
    }

    const kubectl = kubectlOf(stack);
    const secrets = secretsOf(access, stackSecretValues(stack.deployment, stack.name));
    audit.secret(...secrets);
    audit.summary.description = `Manifest ${found.id} ${found.version} of stack '${stack.name}' compared with the live cluster on ${access.machine}`;

    let result;
    try {
      result = await readLiveObjects({ ssh: access.ssh, kubectl, manifest: content, timeoutMs: READ_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof SshError) throw sshFailure(err, access, stack.name, 'read the live objects', 'not-compared');
      throw err;
    }
    let items: KubeObject[];
    let unknown: UnknownKind[] = [];
    try {
      if (result.code !== 0) {
        const onlyKinds = unknownKinds(result.stderr);
        if (!onlyKinds) throw kubectlFailure(result.code, result.stderr, kubectl, access.machine, secrets);
        unknown = onlyKinds;
      }
      items = kubectlGetItems(result.stdout);
    } catch (err) {
      if (err instanceof ManifestObjectsError) throw fail(`kubectl on ${access.machine} answered with something unexpected: ${scrubText(err.message, secrets)}`);
      throw err;
    }
    const diff = diffWithLive(content, items, unknown);

    const move = statusMove(persisted, stack.deployment, found, diff.inSync);
    let recorded = false;
    let note = move.note;
    if (move.write) {
      recorded = await recordStatus(stack, manifests, found, persisted.manifests[found.id]!.status, move.write);
      if (recorded) {
        audit.event({
          type: 'manifest',
          action: 'validate',
          severity: move.write === 'out_of_sync' ? 'warning' : 'info',
          resourceId: found.id,
          resourceType: found.type,
          description: `Manifest ${found.id} ${found.version}: ${move.before} → ${move.write} (compared with the live cluster on ${access.machine})`,
          oldValue: { status: move.before },
          newValue: { status: move.write },
        });
      } else note = `The status was not updated: the stack is locked or changed while the cluster was being read (a deploy?). Compare again.`;
    }
    const counts = `${diff.counts.inSync} in sync, ${diff.counts.differs} differ, ${diff.counts.missing} missing`;
    audit.summary.description += `: ${diff.inSync ? 'in sync' : 'out of sync'} (${counts})`;
    if (!diff.inSync) audit.summary.severity = 'warning';

    const report: LiveDiffReport = {
      id: found.id,
      version: found.version,
      hash: found.hash,
      node: access.machine,
      ...(access.ssh.via ? { via: access.ssh.via.name } : {}),
      diff,
      status: { before: move.before, after: recorded || !move.write ? move.after : move.before, recorded, ...(note ? { note } : {}) },
    };
    return redactReport(report, input.showSecrets ? undefined : secrets);
  });
}

const LAST_KEY = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$-]*)$|\["((?:[^"\\]|\\.)*)"\]$/;

/** A difference's values as they may be shown. */
function shownDifference(d: Difference, secrets: readonly string[] | undefined): Difference {
  if (d.secret || !secrets) return d;
  const m = LAST_KEY.exec(d.path);
  const key = m ? (m[1] ?? (JSON.parse(`"${m[2]}"`) as string)) : undefined;
  const out: Difference = { path: d.path, change: d.change };
  if ('recorded' in d) out.recorded = redactUnder(key, d.recorded, secrets);
  if ('live' in d) out.live = redactUnder(key, d.live, secrets);
  return out;
}

/** The report with values redacted (`secrets` undefined: shown as they are). */
export function redactReport(r: LiveDiffReport, secrets: readonly string[] | undefined): LiveDiffReport {
  return { ...r, diff: { ...r.diff, objects: r.diff.objects.map((o) => ({ ...o, differences: o.differences.map((d) => shownDifference(d, secrets)) })) } };
}

/**
 * Writes the status under the stack's lock, if the manifest is still the version compared
 * and still in the status it was read in; false when something moved meanwhile.
 */
async function recordStatus(stack: OpenedStack, manifests: ManifestStore, m: Manifest, was: ManifestStatus, to: ManifestStatus): Promise<boolean> {
  // An update that is never finished: the lock, and nothing written to the checkpoint.
  let update;
  try {
    update = await stack.beginUpdate('update', `manifests diff --live ${m.id}`);
  } catch (err) {
    // Locked by a deploy, or changed since it was opened: the comparison stands, the status waits.
    if (typeof (err as { exitCode?: unknown }).exitCode === 'number') return false;
    throw err;
  }
  try {
    const fresh = await manifests.load();
    const now = fresh.manifests[m.id];
    if (!now || now.hash !== m.hash || now.status !== was) return false;
    setStatus(fresh, m.id, to, new Date());
    await manifests.save(fresh);
    return true;
  } finally {
    await update.abandon();
  }
}
