// What a cluster deploy applies, as manifests for the registry: the RKE2/K3s config of every
// node (the `config.yaml` its `kubernetes-<node>` step installs), the ArgoCD install and its
// app-of-apps Application (the `argocd` step), and the user's manifests (`manifest-<name>`
// steps). Content is the file as it lands on the machine (placeholders filled from the
// addresses the deployment resolved); status follows the step that applies it.
import { OutputRef } from '../engine/index.ts';
import type { DesiredState, InputValue, ResourceSpec } from '../engine/index.ts';
import { COMMAND_TYPE, DEFAULT_ARGOCD_MANIFEST_URL, fillKnownPlaceholders, PATHS, USER_MANIFEST_DIR } from '../cluster/index.ts';
import type { ClusterConfig } from '../config/index.ts';
import type { ManifestInput } from '../manifests/index.ts';
import { reveal, Secret } from '../state/index.ts';
import type { Deployment, PropertyValue, ResourceState } from '../state/index.ts';

export interface CollectedManifest {
  input: ManifestInput;
  stepUrn: string;
  status: 'applied' | 'failed' | 'pending';
}

const APP_OF_APPS_PATH = '/etc/sloth/argocd/app-of-apps.yaml';

/** A planned input with its secrets unwrapped; output references stay (they resolve at apply). */
function revealInput(v: InputValue | undefined): unknown {
  if (v instanceof OutputRef) return v;
  if (v instanceof Secret) return revealInput(v.value as InputValue);
  if (Array.isArray(v)) return v.map((x) => revealInput(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealInput(x as InputValue)]));
  return v;
}

function lookup(after: Map<string, ResourceState>, ref: OutputRef): unknown {
  let v: unknown = reveal(after.get(ref.urn)?.outputs as PropertyValue | undefined);
  for (const p of ref.path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return reveal(v as PropertyValue);
}

interface StepFiles {
  files: { path: string; content: string }[];
  vars: Record<string, unknown>;
}

function desiredFiles(spec: ResourceSpec, after: Map<string, ResourceState>): StepFiles {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((spec.inputs.vars ?? {}) as Record<string, InputValue>)) vars[k] = v instanceof OutputRef ? lookup(after, v) : revealInput(v);
  const files = ((revealInput(spec.inputs.files) as { path: string; content: string }[] | undefined) ?? []).map((f) => ({ path: f.path, content: fillKnownPlaceholders(f.content, vars) }));
  return { files, vars };
}

function storedFiles(r: ResourceState): StepFiles {
  const vars = (reveal(r.inputs?.vars) as Record<string, unknown> | undefined) ?? {};
  const files = ((reveal(r.inputs?.files) as { path: string; content: string }[] | undefined) ?? []).map((f) => ({ path: f.path, content: fillKnownPlaceholders(String(f.content ?? ''), vars) }));
  return { files, vars };
}

const fileAt = (s: StepFiles, path: string): string | undefined => s.files.find((f) => f.path === path)?.content;

/**
 * The file at `path` as the stack records that step installing it (placeholders filled from
 * the step's recorded values): the content a registered manifest is compared with.
 */
export function storedFile(step: ResourceState, path: string): string | undefined {
  return fileAt(storedFiles(step), path);
}

export function collectManifests(desired: DesiredState, after: Deployment, config: ClusterConfig, failures: ReadonlySet<string>): CollectedManifest[] {
  const live = new Map(after.resources.filter((r) => !r.delete).map((r) => [r.urn, r]));
  const dist = config.kubernetes.distribution as 'rke2' | 'k3s';
  const configPath = `${PATHS[dist].configDir}/config.yaml`;
  const steps = desired.resources.filter((r) => r.type === COMMAND_TYPE);
  const byUrn = new Map(steps.map((s) => [s.urn, s]));
  const out: CollectedManifest[] = [];

  const add = (spec: ResourceSpec, input: ManifestInput, path: string | undefined) => {
    const wanted = path ? fileAt(desiredFiles(spec, live), path) : input.content;
    const state = live.get(spec.urn);
    const stored = state && path ? fileAt(storedFiles(state), path) : undefined;
    let status: CollectedManifest['status'];
    if (failures.has(spec.urn)) status = 'failed';
    else if (state && (path ? stored === wanted : true) && !failures.has(spec.urn)) status = 'applied';
    else status = 'pending';
    out.push({ input: { ...input, content: (status === 'applied' && stored !== undefined ? stored : wanted) ?? input.content }, stepUrn: spec.urn, status });
  };

  const configId = (machine: string) => `${dist}-config-${machine}`;
  const hasArgo = steps.some((s) => s.name === 'argocd');
  for (const spec of steps) {
    const machine = String(revealInput(spec.inputs.machine) ?? '');
    if (spec.name.startsWith('kubernetes-')) {
      const deps = spec.dependsOn.map((u) => byUrn.get(u)).filter((d): d is ResourceSpec => d !== undefined && d.name.startsWith('kubernetes-')).map((d) => configId(String(revealInput(d.inputs.machine))));
      const purpose = String(revealInput(spec.inputs.purpose) ?? '');
      add(
        spec,
        {
          id: configId(machine),
          name: `${dist} config of ${machine}`,
          type: dist,
          content: '',
          metadata: { node: machine, role: / server /.test(purpose) ? 'server' : 'agent', path: configPath, step: spec.name },
          dependencies: [...new Set(deps)].sort(),
        },
        configPath,
      );
    } else if (spec.name === 'argocd') {
      const a = config.addons.argocd!;
      const url = DEFAULT_ARGOCD_MANIFEST_URL.replaceAll('{version}', a.version);
      add(
        spec,
        {
          id: 'argocd-install',
          name: `ArgoCD ${a.version}`,
          type: 'argocd',
          content: `# ArgoCD install, applied server-side from the release manifest\nversion: ${a.version}\nnamespace: ${a.namespace}\nmanifestUrl: ${url}\n`,
          metadata: { node: machine, version: a.version, namespace: a.namespace, url, step: spec.name },
          dependencies: [configId(machine)],
        },
        undefined,
      );
      if (fileAt(desiredFiles(spec, live), APP_OF_APPS_PATH) !== undefined) {
        add(
          spec,
          {
            id: 'argocd-app-of-apps',
            name: 'ArgoCD app-of-apps Application',
            type: 'argocd',
            content: '',
            metadata: { node: machine, path: APP_OF_APPS_PATH, repo: a.gitopsRepoUrl ?? '', branch: a.gitopsRepoBranch, step: spec.name },
            dependencies: ['argocd-install'],
          },
          APP_OF_APPS_PATH,
        );
      }
    } else if (spec.name.startsWith('manifest-')) {
      const name = spec.name.slice('manifest-'.length);
      const path = `${USER_MANIFEST_DIR}/${name}.yaml`;
      const content = fileAt(desiredFiles(spec, live), path) ?? '';
      add(
        spec,
        {
          id: `user-${name}`,
          name,
          type: /^kind:\s*Kustomization\b/m.test(content) ? 'kustomize' : 'raw',
          content: '',
          metadata: { node: machine, path, step: spec.name },
          dependencies: [configId(machine), ...(hasArgo ? ['argocd-install'] : [])],
        },
        path,
      );
    }
  }
  return out;
}
