// The secret values a command knows about, so audit events can be scrubbed of them: the
// credentials in a configuration and every secret a deployment holds (generated tokens and
// keys, kubeconfigs, passwords). Also the one walk over a configuration that finds its
// credentials by key name, for configs our schema does not describe (the Go writer's).
import { isConfigJson, redact, toJSON } from '../config/index.ts';
import type { ClusterConfig } from '../config/index.ts';
import { isCredentialKey, reveal, Secret, stackOutputs } from '../state/index.ts';
import type { Deployment, PropertyValue } from '../state/index.ts';

/** Values of the config's secret keys (where the redacted form says "[secret]"). */
export function configSecretValues(config: ClusterConfig): string[] {
  const shown = JSON.parse(toJSON(config, { showSecrets: true })) as unknown;
  const hidden = JSON.parse(toJSON(config)) as unknown;
  const out: string[] = [];
  const walk = (a: unknown, b: unknown) => {
    if (b === '[secret]') {
      if (typeof a === 'string') out.push(a);
      else if (a !== null && a !== undefined) out.push(...leaves(a));
      return;
    }
    if (a && typeof a === 'object' && b && typeof b === 'object') for (const k of Object.keys(a)) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
  };
  walk(shown, hidden);
  return out.filter((s) => s.length >= 4);
}

function leaves(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v && typeof v === 'object') return Object.values(v).flatMap(leaves);
  return [];
}

function add(out: Set<string>, v: string): void {
  if (v.length < 4) return;
  out.add(v);
  // A multi-line secret (a key, a kubeconfig) may be quoted a line at a time.
  if (v.includes('\n')) for (const line of v.split('\n')) if (line.trim().length >= 16) out.add(line.trim());
}

/** Strings under credential-named keys anywhere inside `v`. */
function namedLeaves(v: PropertyValue | undefined, key: string, out: Set<string>): void {
  if (v instanceof Secret) return namedLeaves(v.value, key, out);
  if (typeof v === 'string') {
    if (isCredentialKey(key)) add(out, v);
  } else if (Array.isArray(v)) for (const x of v) namedLeaves(x, key, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) namedLeaves(x, k, out);
}

/**
 * The secret strings a deployment holds: every top-level secret input or output that is a
 * string (keys, tokens, a kubeconfig, a generated password), and strings under credential-named
 * keys inside secret structures. Secret structures as a whole (files delivered to machines,
 * the root outputs the state layer always encrypts) are not taken word for word: they also hold
 * ordinary names, which must stay readable in events.
 */
export function deploymentSecretValues(d: Deployment): string[] {
  const out = new Set<string>();
  for (const r of d.resources) {
    for (const map of [r.inputs, r.outputs]) {
      for (const [k, v] of Object.entries(map ?? {})) {
        if (v instanceof Secret && typeof v.value === 'string' && r.type !== 'pulumi:pulumi:Stack') add(out, v.value);
        else if (v instanceof Secret && typeof v.value === 'string' && isCredentialKey(k)) add(out, v.value);
        else namedLeaves(v, k, out);
      }
    }
  }
  return [...out];
}

/** The Go writer's `${ENV}` placeholders name a variable, not a value: never a secret. */
const ENV_PLACEHOLDER = /^\$\{[A-Z0-9_]+\}$/;

/**
 * A copy of `config` with every string under a credential-named key (placeholders aside)
 * passed through `replace`. The one walk for configs read by key name.
 */
function mapNamedCredentials(config: unknown, replace: (value: string) => unknown): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return isCredentialKey(key) && !ENV_PLACEHOLDER.test(v) ? replace(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(config, '');
}

/** An older writer's config: the values under credential-named keys. */
export function namedConfigSecrets(config: unknown): string[] {
  const out: string[] = [];
  mapNamedCredentials(config, (v) => {
    if (v.length >= 4) out.push(v);
    return v;
  });
  return out;
}

/** The secret values of a stored config: by our schema when it is ours, else by key name. */
export function storedConfigSecrets(config: unknown, ours: boolean): string[] {
  return ours ? configSecretValues(config as ClusterConfig) : namedConfigSecrets(config);
}

/**
 * A stored config with its secrets replaced: our own JSON by the schema, an older writer's
 * JSON by key name.
 */
export function redactedConfig(config: unknown): unknown {
  if (config && typeof config === 'object' && isConfigJson(JSON.stringify(config, null, 2) + '\n')) {
    try {
      return JSON.parse(JSON.stringify(redact(config as ClusterConfig))) as unknown;
    } catch {
      // not quite our shape: fall back to key names
    }
  }
  return mapNamedCredentials(config, () => '[secret]');
}

/**
 * The secret values a stack knows: the credentials of the configuration it stores (ours) and
 * every secret its deployment holds. What a manifest's content, a live diff or an event may
 * hold and must not show.
 */
export function stackSecretValues(deployment: Deployment, stack: string): string[] {
  const stored = reveal(stackOutputs(deployment, stack).configJson);
  const text = typeof stored === 'string' ? stored : undefined;
  const config = text !== undefined && isConfigJson(text) ? configSecretValues(JSON.parse(text) as ClusterConfig) : [];
  return [...config, ...deploymentSecretValues(deployment)];
}
