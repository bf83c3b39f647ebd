// Manifests the user passes to deploy (`--manifest FILE`, repeatable), applied once every
// node is Ready (and after ArgoCD, whose CRDs they may use): one step per file on the API
// node, `kubectl apply --server-side` of the file delivered in the step's secret payload
// (a manifest may hold a Secret). The step re-runs exactly when the file's content changes.
import { ClusterPlanError } from '../errors.ts';
import type { ClusterModel } from '../model.ts';
import type { RemoteStep } from '../plan.ts';
import { kubectlCommand } from './kubernetes.ts';
import { INSTALL_PAYLOAD_FUNCTION, RETRY_FUNCTION, scriptHeader, shq } from './shell.ts';

export interface UserManifest {
  /** Stable name (lowercase letters, digits, '-'): the step is `manifest-<name>`. */
  name: string;
  content: string;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$/;
export const USER_MANIFEST_DIR = '/etc/sloth/manifests';

/** A manifest name from a file name: `apps/Web App.yaml` → `web-app`. */
export function manifestNameOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base
    .replace(/\.(ya?ml|json)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 52)
    .replace(/-+$/, '');
}

export function renderUserManifestScript(model: ClusterModel, m: UserManifest): string {
  const kubectl = kubectlCommand(model).map(shq).join(' ');
  return `${scriptHeader(`manifest-${m.name}`, `apply the user manifest '${m.name}'`)}
MANIFEST=${shq(`${USER_MANIFEST_DIR}/${m.name}.yaml`)}

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
kubectl() { ${kubectl} "$@"; }

changed="$(mktemp)"
install_payload "$changed"
rm -f "$changed"
retry 3 10 kubectl apply --server-side --force-conflicts --field-manager=sloth-kubernetes -f "$MANIFEST" >&3
echo "manifest ${m.name} applied"
`;
}

export function planUserManifests(model: ClusterModel, apiNode: string, manifests: readonly UserManifest[]): Omit<RemoteStep, 'connection'>[] {
  const seen = new Set<string>();
  return manifests.map((m) => {
    if (!NAME.test(m.name)) {
      throw new ClusterPlanError(`manifest name '${m.name}' is not usable as a step name`, { hint: 'Name manifest files with letters and digits (e.g. web-app.yaml).' });
    }
    if (seen.has(m.name)) throw new ClusterPlanError(`two manifests are both called '${m.name}'`, { hint: 'Give the manifest files different names.' });
    seen.add(m.name);
    if (m.content.trim() === '') throw new ClusterPlanError(`manifest '${m.name}' is empty`);
    return {
      name: `manifest-${m.name}`,
      machine: apiNode,
      purpose: `apply the user manifest ${m.name}`,
      script: renderUserManifestScript(model, m),
      files: [{ path: `${USER_MANIFEST_DIR}/${m.name}.yaml`, mode: '0600', content: m.content }],
      vars: {},
      after: ['cluster-ready', ...(model.argocd ? ['argocd'] : [])],
      output: 'text',
      timeoutSeconds: 600,
    };
  });
}
