// The checkpoint file: the versioned envelope around a deployment (STATE-FORMAT.md §2).
// Reading accepts every version Pulumi reads (0–4) and migrates to the V3 shape; writing
// emits version 3 (version 4 only when a gated feature we support is in use), compact JSON
// without a trailing newline, as current Pulumi does.
import pkg from '../../../package.json' with { type: 'json' };
import type { Crypter, SecretsProviderJSON } from '../secrets/crypter.ts';
import type { Deployment, ResourceState } from '../types.ts';
import { CheckpointError, UnsupportedCheckpointError } from '../errors.ts';
import { decodePendingOperation, decodeResource, encodePendingOperation, encodeResource } from './resources.ts';
import type { JsonObject } from './resources.ts';
import { PropertyValueError } from './property-values.ts';
import type { EncodeOptions } from './property-values.ts';
import { magicOf, sortForIntegrity } from './integrity.ts';

export { magicOf };

/** Checkpoint features (version 4) whose data this tool keeps and writes back. */
export const SUPPORTED_FEATURES = ['refreshBeforeUpdate'];
export const TOOL_VERSION = `sloth-kubernetes-v${pkg.version}`;

export interface RawManifest {
  time: string;
  magic: string;
  version: string;
  plugins?: unknown[];
}

/** A deployment as stored: resources are JSON objects, secrets still encrypted. */
export interface RawDeployment {
  manifest: RawManifest;
  secrets_providers?: SecretsProviderJSON;
  resources: JsonObject[];
  pending_operations: JsonObject[];
}

export interface ParsedCheckpoint {
  version: number;
  features: string[];
  stack: string;
  /** Undefined for a stack that was created but never written by an update. */
  latest: RawDeployment | undefined;
}

export function decompress(bytes: Buffer): Buffer {
  // zlib is loaded only for a checkpoint Pulumi compressed (ours never are).
  if (bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) return process.getBuiltinModule('node:zlib').gunzipSync(bytes);
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return process.getBuiltinModule('node:zlib').zstdDecompressSync(bytes);
  return bytes;
}

export function parseJson(bytes: Buffer, location: string, hint?: string): unknown {
  let text: string;
  try {
    text = decompress(bytes).toString('utf8');
  } catch (err) {
    throw new CheckpointError(location, `cannot be decompressed (${(err as Error).message})`, hint);
  }
  if (text.trim() === '') throw new CheckpointError(location, 'is empty', hint);
  try {
    return JSON.parse(text);
  } catch (err) {
    // Node's message may quote the text around the error, which can be a plaintext secret
    // (an export made with --show-secrets): report the position only.
    const msg = (err as Error).message;
    const truncated = /end of JSON input|Unterminated/.test(msg);
    const pos = /line (\d+) column (\d+)/.exec(msg) ?? /position (\d+)/.exec(msg);
    const where = truncated ? 'it ends early (truncated?)' : pos ? (pos[2] ? `at line ${pos[1]}, column ${pos[2]}` : `at byte ${pos[1]}`) : 'at the start';
    throw new CheckpointError(location, `is not valid JSON: ${where}`, hint);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks versions and features and brings any supported version to the V3 shape. */
export function readCheckpoint(doc: unknown, location: string, hint?: string): ParsedCheckpoint {
  const fail = (problem: string) => new CheckpointError(location, problem, hint);
  if (!isObject(doc)) throw fail('is not a JSON object');
  const version = doc.version === undefined ? 0 : doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw fail('has a non-integer "version"');
  let features: string[] = [];
  if (version >= 4 && doc.features !== undefined) {
    if (!Array.isArray(doc.features) || doc.features.some((f) => typeof f !== 'string')) throw fail('has a malformed "features" list');
    features = doc.features as string[];
  }
  checkFeatures(version, features, location);
  let ckpt: unknown;
  if (version === 0) ckpt = doc;
  else if (version >= 1 && version <= 4) ckpt = doc.checkpoint;
  else {
    throw new UnsupportedCheckpointError(`${location}: unsupported checkpoint version ${version}`, {
      hint: `This version of sloth-kubernetes reads checkpoint versions 0 to 4. Upgrade sloth-kubernetes.`,
    });
  }
  if (!isObject(ckpt)) throw fail('has no "checkpoint" object');
  const stack = typeof ckpt.stack === 'string' ? ckpt.stack : typeof ckpt.target === 'string' ? ckpt.target : '';
  const latest = ckpt.latest;
  if (latest === undefined || latest === null) return { version, features, stack, latest: undefined };
  if (!isObject(latest)) throw fail('has a malformed "latest" deployment');
  return { version, features, stack, latest: readRawDeployment(latest, version <= 1 && !isObject(latest.manifest), fail) };
}

export function checkFeatures(version: number, features: string[], location: string): void {
  if (version < 4) return;
  const missing = features.filter((f) => !SUPPORTED_FEATURES.includes(f));
  if (missing.length > 0) {
    throw new UnsupportedCheckpointError(
      `${location}: the checkpoint needs support for the following features: ${missing.join(', ')}`,
      {
        hint:
          `This version of sloth-kubernetes supports: ${SUPPORTED_FEATURES.join(', ')}. ` +
          'The stack was written by a newer Pulumi CLI using a feature sloth-kubernetes cannot handle safely; nothing was changed.',
      },
    );
  }
}

export function readRawDeployment(d: JsonObject, v1: boolean, fail: (p: string) => Error): RawDeployment {
  let manifest: RawManifest;
  if (v1) {
    manifest = { time: typeof d.time === 'string' ? d.time : new Date(0).toISOString(), magic: '', version: '' };
  } else {
    const m = d.manifest;
    if (!isObject(m) || typeof m.time !== 'string') throw fail('has a deployment without a valid "manifest"');
    manifest = { time: m.time, magic: typeof m.magic === 'string' ? m.magic : '', version: typeof m.version === 'string' ? m.version : '' };
    if (Array.isArray(m.plugins)) manifest.plugins = m.plugins;
  }
  const resources = d.resources ?? [];
  if (!Array.isArray(resources)) throw fail('has a "resources" field that is not a list');
  resources.forEach((r, i) => {
    if (!isObject(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') {
      throw fail(`resource #${i + 1} has no "urn" or no "type"`);
    }
    if (v1 && 'defaults' in r) {
      // V1 kept provider defaults apart; V2 dropped them (they are part of `inputs`).
      delete r.defaults;
    }
  });
  const pending = d.pending_operations ?? [];
  if (!Array.isArray(pending) || pending.some((p) => !isObject(p) || !isObject(p.resource))) {
    throw fail('has malformed "pending_operations"');
  }
  const sp = d.secrets_providers;
  let secrets: SecretsProviderJSON | undefined;
  if (sp !== undefined && sp !== null) {
    if (!isObject(sp) || typeof sp.type !== 'string') throw fail('has a malformed "secrets_providers"');
    secrets = { type: sp.type, state: sp.state };
  }
  return { manifest, secrets_providers: secrets, resources: resources as JsonObject[], pending_operations: pending as JsonObject[] };
}

/**
 * Decodes a raw deployment, decrypting every secret with `decrypt` — now, or with `sealed`
 * when the secret's value is first read (Secret.sealed).
 */
export function decodeDeployment(raw: RawDeployment, decrypt: (ciphertext: string, where: string) => string, location: string, sealed = false): Deployment {
  try {
    const resources = raw.resources.map((r, i) =>
      decodeResource(r, { decrypt: (ct) => decrypt(ct, `${location} resource #${i + 1}`), sealed }, `resource #${i + 1}`),
    );
    const pendingOperations = raw.pending_operations.map((p, i) =>
      decodePendingOperation(p, { decrypt: (ct) => decrypt(ct, `${location} pending operation #${i + 1}`), sealed }, `pending operation #${i + 1}`),
    );
    return { manifest: { time: raw.manifest.time, magic: raw.manifest.magic, version: raw.manifest.version }, resources, pendingOperations };
  } catch (err) {
    if (err instanceof PropertyValueError) throw new CheckpointError(location, err.message);
    throw err;
  }
}

export function newManifest(now: Date = new Date()): Deployment['manifest'] {
  return { time: now.toISOString(), magic: magicOf(TOOL_VERSION), version: TOOL_VERSION };
}

/** Encodes a deployment (resources put in integrity order), encrypting secrets with `crypter`. */
export function encodeDeployment(d: Deployment, crypter: Crypter | undefined, opts: Partial<EncodeOptions> = {}): RawDeployment {
  const enc: EncodeOptions = {
    encrypt: (pt) => {
      if (!crypter) throw new Error('this stack has no secrets provider, so secrets cannot be written');
      return crypter.encrypt(pt);
    },
    reuseCiphertext: opts.reuseCiphertext ?? true,
    showSecrets: opts.showSecrets,
  };
  const sorted = sortForIntegrity(d.resources).resources;
  return {
    manifest: { ...d.manifest },
    secrets_providers: crypter?.provider,
    resources: sorted.map((r) => encodeResource(r, enc)),
    pending_operations: d.pendingOperations.map((p) => encodePendingOperation(p, enc)),
  };
}

function featuresOf(raw: RawDeployment): string[] {
  return raw.resources.some((r) => r.refreshBeforeUpdate === true) ? ['refreshBeforeUpdate'] : [];
}

function deploymentJson(raw: RawDeployment): JsonObject {
  const out: JsonObject = { manifest: raw.manifest };
  if (raw.secrets_providers) out.secrets_providers = raw.secrets_providers;
  if (raw.resources.length > 0) out.resources = raw.resources;
  if (raw.pending_operations.length > 0) out.pending_operations = raw.pending_operations;
  out.metadata = {};
  return out;
}

/** The checkpoint file's bytes. `stack` is the fully qualified name (organization/project/stack). */
export function serializeCheckpoint(stack: string, raw: RawDeployment | undefined): string {
  if (!raw) return JSON.stringify({ version: 3, checkpoint: { stack } });
  const features = featuresOf(raw);
  const env: JsonObject = { version: features.length ? 4 : 3 };
  if (features.length) env.features = features;
  env.checkpoint = { stack, latest: deploymentJson(raw) };
  return JSON.stringify(env);
}

/** `stack export` format (§7): 4-space indent, trailing newline. */
export function serializeExport(raw: RawDeployment): string {
  const features = featuresOf(raw);
  const env: JsonObject = { version: features.length ? 4 : 3 };
  if (features.length) env.features = features;
  env.deployment = deploymentJson(raw);
  return `${JSON.stringify(env, null, 4)}\n`;
}

export function resourceCount(raw: RawDeployment | undefined): number {
  return raw ? raw.resources.length : 0;
}

export type { ResourceState };
