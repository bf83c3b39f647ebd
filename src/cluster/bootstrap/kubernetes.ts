// RKE2 and K3s on a node: its config.yaml, the extra files it needs, and the script that
// installs the pinned release and (re)starts the service when something changed.
//
// What each key means and why it is set is written down, with the documentation checked,
// in docs/bootstrap.md. In short: node-ip is the WireGuard address, node-external-ip the
// public one; the first etcd server initialises the cluster (K3s `cluster-init`; RKE2 has
// no such option, its first server is the one without `server`); every other node joins
// the registration server over WireGuard; servers share a generated `token`, agents get a
// separate generated `agent-token`; the version is pinned with INSTALL_*_VERSION, never a
// channel; the kubeconfig is written 0600.
import { stringify } from 'yaml';
import { ClusterPlanError } from '../errors.ts';
import { isEtcd, isMaster, isServer, type ClusterModel, type NodeModel, type Taint } from '../model.ts';
import { INSTALL_PAYLOAD_FUNCTION, RETRY_FUNCTION, scriptHeader, shq, type PayloadFile } from './shell.ts';

export interface DistributionPaths {
  binary: string;
  configDir: string;
  defaultDataDir: string;
  kubeconfig: string;
  serverService: string;
  agentService: string;
  defaultInstallScript: string;
  /** Port new nodes register on (the supervisor). */
  registrationPort: number;
}

export const PATHS: Record<'rke2' | 'k3s', Omit<DistributionPaths, 'kubectl'>> = {
  rke2: {
    binary: 'rke2',
    configDir: '/etc/rancher/rke2',
    defaultDataDir: '/var/lib/rancher/rke2',
    kubeconfig: '/etc/rancher/rke2/rke2.yaml',
    serverService: 'rke2-server',
    agentService: 'rke2-agent',
    defaultInstallScript: 'https://get.rke2.io',
    registrationPort: 9345,
  },
  k3s: {
    binary: 'k3s',
    configDir: '/etc/rancher/k3s',
    defaultDataDir: '/var/lib/rancher/k3s',
    kubeconfig: '/etc/rancher/k3s/k3s.yaml',
    serverService: 'k3s',
    agentService: 'k3s-agent',
    defaultInstallScript: 'https://get.k3s.io',
    registrationPort: 6443,
  },
};

const VERSION_PATTERN = { rke2: /^v\d+\.\d+\.\d+\+rke2r\d+$/, k3s: /^v\d+\.\d+\.\d+\+k3s\d+$/ };
const EXAMPLE_VERSION = { rke2: 'v1.29.0+rke2r1', k3s: 'v1.29.0+k3s1' };
const CNIS = { rke2: ['canal', 'calico', 'cilium', 'none'], k3s: ['flannel', 'none'] };

/** The kubectl command line on a server (RKE2 ships kubectl under its data directory). */
export function kubectlCommand(model: ClusterModel): string[] {
  const k = model.kubernetes;
  if (k.distribution === 'k3s') return ['k3s', 'kubectl', '--kubeconfig', PATHS.k3s.kubeconfig];
  return [`${k.dataDir ?? PATHS.rke2.defaultDataDir}/bin/kubectl`, '--kubeconfig', PATHS.rke2.kubeconfig];
}

/** Labels kubelets may set on themselves (NodeRestriction); other kubernetes.io / k8s.io labels make kubelet refuse to start. */
const KUBELET_LABEL_ALLOWED = /^(kubernetes\.io\/(hostname|instance-type|os|arch)|beta\.kubernetes\.io\/(instance-type|os|arch)|failure-domain\.beta\.kubernetes\.io\/(region|zone)|topology\.kubernetes\.io\/(region|zone)|node\.kubernetes\.io\/instance-type|([a-z0-9.-]+\.)?(kubelet|node)\.kubernetes\.io\/.+)$/;

/** Checks the Kubernetes settings the bootstrap depends on; throws a ClusterPlanError naming the key. */
export function checkKubernetesSettings(model: ClusterModel): void {
  const k = model.kubernetes;
  if (!VERSION_PATTERN[k.distribution].test(k.version)) {
    throw new ClusterPlanError(`kubernetes.version '${k.version}' is not a ${k.distribution.toUpperCase()} release`, {
      hint: `Pin a full release such as "${EXAMPLE_VERSION[k.distribution]}". Channels ("stable", "latest") are not accepted: the version must not change under a running cluster.`,
    });
  }
  if (!CNIS[k.distribution].includes(k.cni)) {
    throw new ClusterPlanError(`kubernetes.network-plugin '${k.cni}' is not supported yet with ${k.distribution}`, { hint: `Use one of: ${CNIS[k.distribution].join(', ')}.` });
  }
  for (const node of model.nodes) {
    for (const key of Object.keys(node.labels)) {
      const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
      if (/(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix) && !KUBELET_LABEL_ALLOWED.test(key)) {
        throw new ClusterPlanError(`node pool '${node.pool}': label '${key}' is in a namespace kubelet may not set on itself, so the node would never start`, {
          hint: 'Use your own prefix (e.g. "example.com/role"), or node.kubernetes.io/… labels.',
        });
      }
    }
  }
}

function taintText(t: Taint): string {
  return `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`;
}

export interface KubernetesNodeContext {
  model: ClusterModel;
  node: NodeModel;
  /** The node's WireGuard address: node-ip, and the address other nodes reach it on. */
  wireguardAddress: string;
  /** Where to register (`https://<wg address>:<port>`); absent only for the initialising server. */
  serverUrl?: string;
  /** K3s: this server runs `cluster-init`. */
  clusterInit: boolean;
  tokens: { server: string; agent: string };
  /** node-external-ip, usually a placeholder filled at apply time; absent for nodes without one. */
  externalAddress?: string;
  /** Extra certificate names (servers with the API): load balancer, API domain, masters' addresses. */
  tlsSan: readonly string[];
}

/** The content of config.yaml for one node. Holds tokens: deliver only as a secret payload. */
export function kubernetesConfig(ctx: KubernetesNodeContext): Record<string, unknown> {
  const { model, node } = ctx;
  const k = model.kubernetes;
  const server = isServer(node);
  const config: Record<string, unknown> = {
    'node-name': node.name,
    'node-ip': ctx.wireguardAddress,
  };
  if (ctx.externalAddress) config['node-external-ip'] = ctx.externalAddress;
  if (ctx.serverUrl) config['server'] = ctx.serverUrl;
  if (server) {
    config['token'] = ctx.tokens.server;
    config['agent-token'] = ctx.tokens.agent;
  } else {
    config['token'] = ctx.tokens.agent;
  }
  if (k.distribution === 'k3s' && ctx.clusterInit) config['cluster-init'] = true;
  if (k.dataDir) config['data-dir'] = k.dataDir;

  if (server) {
    if (isMaster(node)) {
      config['advertise-address'] = ctx.wireguardAddress;
      config['tls-san'] = [...ctx.tlsSan];
    }
    config['write-kubeconfig-mode'] = '0600';
    if (k.distribution === 'rke2') config['cni'] = k.cni;
    config['cluster-cidr'] = model.network.podCidr;
    config['service-cidr'] = model.network.serviceCidr;
    config['cluster-dns'] = k.clusterDns;
    config['cluster-domain'] = k.clusterDomain;
    if (k.disable.length > 0) config['disable'] = [...k.disable];
    config['secrets-encryption'] = k.secretsEncryption;
    if (!isMaster(node)) {
      config['disable-apiserver'] = true;
      config['disable-controller-manager'] = true;
      config['disable-scheduler'] = true;
    }
    if (!isEtcd(node)) config['disable-etcd'] = true;
    if (isEtcd(node) && k.etcdSnapshot) {
      config['etcd-snapshot-schedule-cron'] = k.etcdSnapshot.scheduleCron;
      config['etcd-snapshot-retention'] = k.etcdSnapshot.retention;
    }
  }
  if (k.distribution === 'k3s') {
    // Flannel carries pod traffic over the mesh, not over whichever interface has the default route.
    if (k.cni === 'flannel') config['flannel-iface'] = model.wireguard.interfaceName;
    else if (server) {
      config['flannel-backend'] = 'none';
      config['disable-network-policy'] = true;
    }
  }
  const labels = { 'sloth-kubernetes.io/pool': node.pool, 'sloth-kubernetes.io/provider': node.provider, ...node.labels };
  config['node-label'] = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  const taints = [...node.taints];
  // A server without the worker role runs only the control plane (CriticalAddonsOnly, as the
  // RKE2 HA guide suggests) — but only when some node takes workloads: with every node
  // tainted, CoreDNS and metrics-server would have nowhere to run.
  const someWorker = model.nodes.some((n) => n.roles.includes('worker') || !isServer(n));
  if (server && !node.roles.includes('worker') && someWorker) taints.push({ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' });
  if (taints.length > 0) config['node-taint'] = taints.map(taintText);
  config['selinux'] = k.selinux;
  return config;
}

/** HelmChartConfig that binds the CNI to the WireGuard interface (RKE2 servers). */
function cniBinding(model: ClusterModel): string | undefined {
  const iface = model.wireguard.interfaceName;
  const values =
    model.kubernetes.cni === 'canal'
      ? { name: 'rke2-canal', values: { flannel: { iface } } }
      : model.kubernetes.cni === 'calico'
        ? { name: 'rke2-calico', values: { installation: { calicoNetwork: { nodeAddressAutodetectionV4: { interface: iface } } } } }
        : undefined;
  if (!values) return undefined;
  return stringify({
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChartConfig',
    metadata: { name: values.name, namespace: 'kube-system' },
    spec: { valuesContent: stringify(values.values) },
  });
}

function registriesYaml(model: ClusterModel): string | undefined {
  const mirrors = model.kubernetes.registryMirrors;
  if (!mirrors || Object.keys(mirrors).length === 0) return undefined;
  return stringify({ mirrors: Object.fromEntries(Object.entries(mirrors).map(([registry, endpoints]) => [registry, { endpoint: [...endpoints] }])) });
}

/** Files the install step writes (from its stdin payload). */
export function kubernetesPayload(ctx: KubernetesNodeContext): PayloadFile[] {
  const k = ctx.model.kubernetes;
  const paths = PATHS[k.distribution];
  const files: PayloadFile[] = [
    { path: `${paths.configDir}/config.yaml`, mode: '0600', content: `# Managed by sloth-kubernetes.\n${stringify(kubernetesConfig(ctx), { lineWidth: 0 })}` },
  ];
  const registries = registriesYaml(ctx.model);
  if (registries) files.push({ path: `${paths.configDir}/registries.yaml`, mode: '0600', content: registries });
  if (k.distribution === 'rke2' && isServer(ctx.node)) {
    const binding = cniBinding(ctx.model);
    if (binding) files.push({ path: `${k.dataDir ?? paths.defaultDataDir}/server/manifests/sloth-cni-config.yaml`, mode: '0600', content: binding });
  }
  return files;
}

/** Whether this node runs the Kubernetes API (and so can answer readiness checks). */
const servesApi = (node: NodeModel): boolean => isMaster(node);

/** Installs the pinned release if needed, then (re)starts the service when anything changed. */
export function renderKubernetesInstallScript(model: ClusterModel, node: NodeModel): string {
  const k = model.kubernetes;
  const paths = PATHS[k.distribution];
  const server = isServer(node);
  const service = server ? paths.serverService : paths.agentService;
  const source = k.installSource ?? {};
  const installScript = source.installScriptUrl ?? (source.artifactPath ? `file://${source.artifactPath}/install.sh` : paths.defaultInstallScript);
  const env: string[] = [];
  if (k.distribution === 'rke2') {
    env.push(`INSTALL_RKE2_VERSION=${shq(k.version)}`, `INSTALL_RKE2_TYPE=${server ? 'server' : 'agent'}`);
    if (source.artifactUrl) env.push(`INSTALL_RKE2_ARTIFACT_URL=${shq(source.artifactUrl)}`);
    if (source.artifactPath) env.push(`INSTALL_RKE2_ARTIFACT_PATH=${shq(source.artifactPath)}`);
  } else {
    env.push(`INSTALL_K3S_VERSION=${shq(k.version)}`, `INSTALL_K3S_EXEC=${server ? 'server' : 'agent'}`, 'INSTALL_K3S_SKIP_START=true');
    if (source.artifactUrl) env.push(`GITHUB_URL=${shq(source.artifactUrl)}`);
    if (source.artifactPath) env.push('INSTALL_K3S_SKIP_DOWNLOAD=true');
  }
  const k3sAirgap =
    k.distribution === 'k3s' && source.artifactPath
      ? `  # Air-gapped K3s: the binary and the image tarball come from ${source.artifactPath}.
  install -m 0755 ${shq(`${source.artifactPath}/k3s`)} /usr/local/bin/k3s
  mkdir -p ${shq(`${k.dataDir ?? paths.defaultDataDir}/agent/images`)}
  for images in ${shq(source.artifactPath)}/k3s-airgap-images-*; do
    if [ -e "$images" ]; then cp -f "$images" ${shq(`${k.dataDir ?? paths.defaultDataDir}/agent/images/`)}; fi
  done
`
      : '';
  const readiness = servesApi(node)
    ? `echo "waiting for the Kubernetes API on this node"
retry 120 5 ${kubectlCommand(model).map(shq).join(' ')} get --raw=/readyz >/dev/null`
    : `retry 60 5 systemctl is-active --quiet "$SERVICE"`;

  return `${scriptHeader('kubernetes', `install ${k.distribution} ${k.version} as ${server ? 'server' : 'agent'} on ${node.name}`)}
VERSION=${shq(k.version)}
SERVICE=${shq(service)}
INSTALL_SCRIPT=${shq(installScript)}

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
changed="$(mktemp)"
install_payload "$changed"

current="$(${paths.binary} --version 2>/dev/null | awk 'NR == 1 { print $3 }' || true)"
if [ "$current" != "$VERSION" ]; then
  echo "installing ${k.distribution} $VERSION (found: \${current:-none})"
${k3sAirgap}  installer="$(mktemp)"
  retry 5 10 curl -sfL --proto '=https,file' -o "$installer" "$INSTALL_SCRIPT"
  ${env.join(' ')} sh "$installer"
  rm -f "$installer"
  echo "$VERSION" >>"$changed"
fi

systemctl enable "$SERVICE"
if [ -s "$changed" ] || ! systemctl is-active --quiet "$SERVICE"; then
  echo "starting $SERVICE (changed: $(tr '\\n' ' ' <"$changed"))"
  systemctl restart "$SERVICE"
fi
rm -f "$changed"
${readiness}
echo "${node.name}: ${k.distribution} $VERSION is running"
`;
}

/** Prints the admin kubeconfig, pointed at the address users reach the API on. */
export function renderKubeconfigScript(model: ClusterModel, apiHost: string): string {
  const paths = PATHS[model.kubernetes.distribution];
  return `${scriptHeader('kubeconfig', 'print the admin kubeconfig for the reachable API address')}
API_URL=${shq(`https://${apiHost}:6443`)}
KUBECONFIG_FILE=${shq(paths.kubeconfig)}
if [ ! -s "$KUBECONFIG_FILE" ]; then
  echo "$KUBECONFIG_FILE does not exist: is the server running?"
  exit 1
fi
sed -e "s#https://127.0.0.1:6443#\${API_URL}#" "$KUBECONFIG_FILE" >&3
echo "kubeconfig printed for $API_URL"
`;
}

/**
 * Waits until every expected node is Ready, reporting the ones that are not (with their
 * conditions) while it waits and when it gives up. Prints the final node list as JSON.
 */
export function renderClusterReadyScript(model: ClusterModel, expectedNodes: readonly string[], timeoutSeconds: number): string {
  const kubectl = kubectlCommand(model).map(shq).join(' ');
  return `${scriptHeader('cluster-ready', `wait until ${expectedNodes.length} nodes are Ready`)}
EXPECTED=(${expectedNodes.map(shq).join(' ')})
DEADLINE=$(($(date +%s) + ${timeoutSeconds}))

not_ready() {
  local ready node missing=()
  ready="$(${kubectl} get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}' 2>/dev/null || true)"
  for node in "\${EXPECTED[@]}"; do
    if ! grep -qx "$node True" <<<"$ready"; then missing+=("$node"); fi
  done
  echo "\${missing[*]}"
}

while true; do
  pending="$(not_ready)"
  if [ -z "$pending" ]; then
    break
  fi
  if [ "$(date +%s)" -ge "$DEADLINE" ]; then
    echo "not Ready after ${timeoutSeconds}s: $pending"
    for node in $pending; do
      ${kubectl} get node "$node" -o jsonpath='{.metadata.name}{": "}{range .status.conditions[*]}{.type}={.status} {.message}{"; "}{end}{"\\n"}' 2>&1 || echo "$node: not registered with the API"
    done
    exit 1
  fi
  echo "waiting for: $pending"
  sleep 10
done
${kubectl} get nodes -o json >&3
echo "all \${#EXPECTED[@]} nodes are Ready"
`;
}
