// Root stack outputs: the records the layers above keep in the stack (config, Lisp text,
// deployment metadata, kubeconfig, nodes, Salt, manifests, audit). Anything that can carry a
// credential is stored as a Secret whatever the caller passed, so a forgotten wrap can never
// put a kubeconfig or a token in the checkpoint in plaintext.
import { rootStackUrn } from './layout.ts';
import { Secret } from './types.ts';
import type { Deployment, JournalRecord, PropertyMap, PropertyValue, ResourceState } from './types.ts';

/** Root outputs that always hold credentials or text that may embed them. */
export const CREDENTIAL_OUTPUTS = new Set([
  'configJson',
  'lispManifest',
  'deploymentMeta',
  'kubeConfig',
  'kubeconfig',
  'nodes',
  'salt_master',
  'saltMaster',
  'manifestRegistry',
  'manifests',
  'auditIndex',
  'audit',
  'operationsHistory',
  'sshPrivateKey',
  'ssh_private_key',
  'wireguard',
  'vpnPeers',
]);

const CREDENTIAL_PATTERN = /(secret|token|password|passphrase|private.?key|credential|kube.?config|api.?key|auth|cert|salt)/i;

export function isCredentialOutput(key: string): boolean {
  return CREDENTIAL_OUTPUTS.has(key) || CREDENTIAL_PATTERN.test(key);
}

export function rootStackResource(deployment: Deployment, stack: string): ResourceState | undefined {
  const urn = rootStackUrn(stack);
  return deployment.resources.find((r) => r.urn === urn && !r.delete);
}

/** The root stack's outputs (empty when the stack has none). */
export function stackOutputs(deployment: Deployment, stack: string): PropertyMap {
  return rootStackResource(deployment, stack)?.outputs ?? {};
}

function wrap(key: string, value: PropertyValue): PropertyValue {
  if (value instanceof Secret || !isCredentialOutput(key)) return value;
  return new Secret(value);
}

/** Outputs with every credential-bearing key wrapped as a Secret (a new map; unchanged if none). */
export function protectStackOutputs(outputs: PropertyMap): PropertyMap {
  let out: PropertyMap | undefined;
  for (const [k, v] of Object.entries(outputs)) {
    const w = wrap(k, v);
    if (w !== v) (out ??= { ...outputs })[k] = w;
  }
  return out ?? outputs;
}

/** The root stack resource with protected outputs; every write of the state layer goes through it. */
export function protectRootResource(r: ResourceState): ResourceState {
  if (r.type !== 'pulumi:pulumi:Stack' || !r.outputs) return r;
  const outputs = protectStackOutputs(r.outputs);
  return outputs === r.outputs ? r : { ...r, outputs };
}

/**
 * The record that sets root stack outputs: merges `outputs` into the existing ones (a
 * `null`-free `undefined` removes a key), wrapping credential-bearing keys as secrets, and
 * creates the root `pulumi:pulumi:Stack` resource if the stack has none yet.
 */
export function setStackOutputs(
  deployment: Deployment,
  stack: string,
  outputs: Record<string, PropertyValue | undefined>,
  now: Date = new Date(),
): JournalRecord {
  const existing = rootStackResource(deployment, stack);
  const merged: PropertyMap = { ...(existing?.outputs ?? {}) };
  for (const [k, v] of Object.entries(outputs)) {
    if (v === undefined) delete merged[k];
    else merged[k] = wrap(k, v);
  }
  for (const [k, v] of Object.entries(merged)) merged[k] = wrap(k, v);
  const time = now.toISOString();
  const resource: ResourceState = existing
    ? { ...existing, outputs: merged, modified: time }
    : { urn: rootStackUrn(stack), custom: false, type: 'pulumi:pulumi:Stack', outputs: merged, created: time, modified: time };
  return { op: 'put', resource };
}
