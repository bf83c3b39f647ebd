// What an update of a Stack is made of, read from the cluster: the config source (a git
// commit, an inline config, a ConfigMap key), the environment from envRefs, and the git
// credentials. Values come only from the Secrets and ConfigMaps the Stack names, in its own
// namespace; the revision says, without reading any value, whether any of it changed.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { RECONCILE_ANNOTATION } from './crd.ts';
import { SourceError, SourceMissingError } from './git.ts';
import type { GitCredentials, GitSource } from './git.ts';
import type { Kube, Watched } from './kube.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KeyRef, StackResource } from './types.ts';

/** A referenced Secret or ConfigMap (or key) that does not exist: the Stack cannot be updated as it is. */
export class MissingReferenceError extends SourceMissingError {}

export interface ResolvedSource {
  /** The git commit, or a digest of the inline/ConfigMap config. */
  commit?: string;
  /** Where the config file is placed in the update's working directory (for messages: file:line:col). */
  file: string;
  /** Reads the config text. */
  load(): Promise<string>;
}

/** Every Secret and ConfigMap the Stack references: [kind, name]. */
export function references(spec: StackResource['spec']): ['Secret' | 'ConfigMap', string][] {
  const out: ['Secret' | 'ConfigMap', string][] = [];
  for (const ref of Object.values(spec.envRefs ?? {})) {
    if (ref.type === 'Secret') out.push(['Secret', ref.secret.name]);
    if (ref.type === 'ConfigMap') out.push(['ConfigMap', ref.configMap.name]);
  }
  const auth = spec.gitAuth;
  for (const r of [auth?.sshPrivateKey, auth?.accessToken, auth?.basicAuth?.userName, auth?.basicAuth?.password]) if (r) out.push(['Secret', r.name]);
  if (spec.configMapRef) out.push(['ConfigMap', spec.configMapRef.name]);
  return out;
}

export interface RefCaches {
  secrets: Watched<KubernetesObject>;
  configmaps: Watched<KubernetesObject>;
}

/**
 * A digest of everything an update depends on: the spec (generation), the commit, the
 * resourceVersions of the referenced objects (from the metadata caches) and the
 * reconcile-request annotation.
 */
export function revisionOf(stack: StackResource, commit: string | undefined, caches: RefCaches): string {
  const ns = stack.metadata.namespace!;
  const refs = [...new Set(references(stack.spec).map(([k, n]) => `${k}/${n}`))].sort().map((r) => {
    const [kind, name] = r.split('/') as ['Secret' | 'ConfigMap', string];
    const obj = (kind === 'Secret' ? caches.secrets : caches.configmaps).get(name, ns);
    return `${r}@${obj?.metadata?.resourceVersion ?? 'missing'}`;
  });
  const parts = [String(stack.metadata.generation ?? 0), commit ?? '', ...refs, stack.metadata.annotations?.[RECONCILE_ANNOTATION] ?? ''];
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

export class References {
  readonly #kube: Kube;
  readonly #git: GitSource;

  constructor(kube: Kube, git: GitSource) {
    this.#kube = kube;
    this.#git = git;
  }

  async #key(kind: 'Secret' | 'ConfigMap', ns: string, ref: KeyRef, what: string): Promise<string> {
    const v = await this.#kube.readKey(kind, ns, ref.name, ref.key);
    if (v === undefined) throw new MissingReferenceError(`${what}: ${kind} ${ns}/${ref.name} has no key '${ref.key}' (or does not exist)`);
    return v;
  }

  async gitCredentials(stack: StackResource): Promise<GitCredentials> {
    const ns = stack.metadata.namespace!;
    const a = stack.spec.gitAuth;
    if (!a) return {};
    if (a.sshPrivateKey) return { sshPrivateKey: await this.#key('Secret', ns, a.sshPrivateKey, 'gitAuth.sshPrivateKey') };
    if (a.accessToken) return { accessToken: await this.#key('Secret', ns, a.accessToken, 'gitAuth.accessToken') };
    if (a.basicAuth) return { basic: { userName: await this.#key('Secret', ns, a.basicAuth.userName, 'gitAuth.basicAuth.userName'), password: await this.#key('Secret', ns, a.basicAuth.password, 'gitAuth.basicAuth.password') } };
    return {};
  }

  /** The environment of an update: each envRefs variable with its value. */
  async environment(stack: StackResource): Promise<Record<string, string>> {
    const ns = stack.metadata.namespace!;
    const env: Record<string, string> = {};
    for (const [name, ref] of Object.entries(stack.spec.envRefs ?? {})) {
      if (ref.type === 'Literal') env[name] = ref.literal.value;
      else if (ref.type === 'Secret') env[name] = await this.#key('Secret', ns, ref.secret, `envRefs.${name}`);
      else env[name] = await this.#key('ConfigMap', ns, ref.configMap, `envRefs.${name}`);
    }
    return env;
  }

  /** Which config the Stack asks for now. For a tracked branch this asks the remote for its head. */
  async resolve(stack: StackResource): Promise<ResolvedSource> {
    const spec = stack.spec;
    const ns = stack.metadata.namespace!;
    const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
    if (spec.projectRepo) {
      const creds = await this.gitCredentials(stack);
      const commit = await this.#git.resolve(spec.projectRepo, { commit: spec.commit, branch: spec.branch }, creds);
      const file = posix.join(spec.repoDir ?? '.', spec.configFile ?? 'cluster.lisp');
      if (file.startsWith('../') || posix.isAbsolute(file)) throw new SourceMissingError(`repoDir/configFile '${file}' leaves the repository`);
      return { commit, file, load: () => this.#git.read(spec.projectRepo!, commit, file, creds) };
    }
    if (spec.configMapRef) {
      const ref = spec.configMapRef;
      const text = await this.#key('ConfigMap', ns, ref, 'configMapRef');
      return { commit: digest(text), file: posix.basename(ref.key) || 'cluster.lisp', load: async () => text };
    }
    if (spec.config !== undefined) return { commit: digest(spec.config), file: 'cluster.lisp', load: async () => spec.config! };
    throw new SourceError('the Stack names no config source');
  }
}
