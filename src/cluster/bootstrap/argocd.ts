// ArgoCD, installed once every node is Ready: the manifests of a pinned release (never
// `stable`), applied server-side; then, when a Git repository is configured, an app-of-apps
// Application pointing at it. The initial admin password ArgoCD generates is read back as
// the step's secret output, so the stack holds it and nothing else prints it.
import { stringify } from 'yaml';
import { ClusterPlanError } from '../errors.ts';
import type { ClusterModel } from '../model.ts';
import type { RemoteStep } from '../plan.ts';
import { kubectlCommand } from './kubernetes.ts';
import { INSTALL_PAYLOAD_FUNCTION, RETRY_FUNCTION, scriptHeader, shq, type PayloadFile } from './shell.ts';

export const DEFAULT_ARGOCD_MANIFEST_URL = 'https://raw.githubusercontent.com/argoproj/argo-cd/{version}/manifests/install.yaml';
const APP_OF_APPS_PATH = '/etc/sloth/argocd/app-of-apps.yaml';

export function appOfAppsManifest(model: ClusterModel): string | undefined {
  const a = model.argocd!;
  if (!a.repoUrl) return undefined;
  return stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: a.appOfAppsName, namespace: a.namespace, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL: a.repoUrl, targetRevision: a.branch, path: a.appsPath, directory: { recurse: true } },
      destination: { server: 'https://kubernetes.default.svc', namespace: a.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
}

export function renderArgoCdScript(model: ClusterModel): string {
  const a = model.argocd!;
  const kubectl = kubectlCommand(model).map(shq).join(' ');
  const manifestUrl = (a.manifestUrl ?? DEFAULT_ARGOCD_MANIFEST_URL).replaceAll('{version}', a.version);
  return `${scriptHeader('argocd', `install ArgoCD ${a.version} in namespace ${a.namespace}`)}
NAMESPACE=${shq(a.namespace)}
MANIFEST_URL=${shq(manifestUrl)}
APP_OF_APPS=${shq(APP_OF_APPS_PATH)}

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
kubectl() { ${kubectl} "$@"; }

changed="$(mktemp)"
install_payload "$changed"
rm -f "$changed"
manifest="$(mktemp)"
retry 5 10 curl -sfL --proto '=https,file' -o "$manifest" "$MANIFEST_URL"
kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$NAMESPACE"
retry 3 10 kubectl apply --server-side --force-conflicts -n "$NAMESPACE" -f "$manifest"
rm -f "$manifest"
kubectl -n "$NAMESPACE" rollout status deployment/argocd-server --timeout=600s
kubectl -n "$NAMESPACE" rollout status deployment/argocd-repo-server --timeout=600s
if [ -s "$APP_OF_APPS" ]; then
  retry 3 10 kubectl apply -f "$APP_OF_APPS"
  echo "app-of-apps applied"
fi
if password="$(kubectl -n "$NAMESPACE" get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' 2>/dev/null)" && [ -n "$password" ]; then
  printf '%s' "$password" | base64 -d >&3
else
  echo "argocd-initial-admin-secret is gone (the password was changed): nothing to report"
fi
echo "ArgoCD ${a.version} is running"
`;
}

export function planArgoCd(model: ClusterModel, apiNode: string): Omit<RemoteStep, 'connection'>[] {
  const a = model.argocd!;
  if (!/^v\d+\.\d+\.\d+$/.test(a.version)) {
    throw new ClusterPlanError(`addons.argocd version '${a.version}' is not an ArgoCD release`, {
      hint: 'Pin a release such as "v2.11.3"; "stable" is not accepted because it changes under a running cluster.',
    });
  }
  const manifest = appOfAppsManifest(model);
  const files: PayloadFile[] = manifest ? [{ path: APP_OF_APPS_PATH, mode: '0600', content: manifest }] : [];
  return [
    {
      name: 'argocd',
      machine: apiNode,
      purpose: `ArgoCD ${a.version}${a.repoUrl ? ` with app-of-apps from ${a.repoUrl}` : ''}`,
      script: renderArgoCdScript(model),
      files,
      vars: {},
      after: ['cluster-ready'],
      output: 'secret',
      timeoutSeconds: 1500,
    },
  ];
}
