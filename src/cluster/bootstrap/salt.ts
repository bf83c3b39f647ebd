// Salt: a master on the bastion or a chosen node, a minion on every node. Trust is set up
// both ways before any daemon starts, with keys we generate: each minion's public key is
// placed in the master's accepted-keys directory (no auto-accept, no pending keys), and the
// master's public key is placed on every minion as the key it must see (no trust on first
// use). The master listens only on its WireGuard address; the Salt API (rest_cherrypy)
// serves TLS on the WireGuard address only, with a certificate made on the master and
// reported back so clients can pin it, and a generated shared secret for `sharedsecret`
// external auth.
import { generateKeyPairSync } from 'node:crypto';
import { stringify } from 'yaml';
import { ClusterPlanError } from '../errors.ts';
import type { ClusterModel } from '../model.ts';
import type { MeshPlan } from '../wireguard/mesh.ts';
import type { RemoteStep } from '../plan.ts';
import { generatePassword } from './secrets.ts';
import { INSTALL_PAYLOAD_FUNCTION, RETRY_FUNCTION, scriptHeader, shq, type PayloadFile } from './shell.ts';

export interface RsaKeyPair {
  /** PKCS#1 PEM, as Salt writes `master.pem` / `minion.pem`. */
  privateKey: string;
  /** SubjectPublicKeyInfo PEM, as Salt writes `master.pub` / `minion.pub`. */
  publicKey: string;
}

export interface PreviousSalt {
  master?: RsaKeyPair;
  minions: Record<string, RsaKeyPair>;
  apiPassword?: string;
}

export interface SaltPlan {
  master: string;
  masterAddress: string;
  apiUrl: string;
  apiUsername: string;
  apiPassword: string;
  masterKeys: RsaKeyPair;
  minionKeys: Record<string, RsaKeyPair>;
  /** Remote steps without their connection (the planner adds it). */
  steps: Omit<RemoteStep, 'connection'>[];
}

export const SALT_BOOTSTRAP_URL = 'https://github.com/saltstack/salt-bootstrap/releases/latest/download/bootstrap-salt.sh';
export const DEFAULT_SALT_VERSION = '3006.9';

export function generateSaltKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKey, publicKey };
}

export function planSalt(model: ClusterModel, mesh: MeshPlan, previous?: PreviousSalt): SaltPlan {
  const salt = model.salt!;
  const masterMember = mesh.members.find((m) => m.name === salt.master);
  if (!masterMember) {
    throw new ClusterPlanError(`addons.salt master-node '${salt.master}' is not a machine of this cluster`, {
      hint: `Use "bastion" (when the bastion is enabled) or a node name such as "${model.nodes[0]?.name ?? 'masters-1'}".`,
    });
  }
  if (!/^\d{4}\.\d+$/.test(salt.version)) {
    throw new ClusterPlanError(`addons.salt version '${salt.version}' is not a Salt release`, { hint: `Pin a release such as "${DEFAULT_SALT_VERSION}".` });
  }
  const masterKeys = previous?.master ?? generateSaltKeyPair();
  // Without minions (auto-join off) the master accepts no keys at all.
  const minionNames = salt.minions ? model.nodes.map((n) => n.name) : [];
  const minionKeys: Record<string, RsaKeyPair> = {};
  for (const name of minionNames) minionKeys[name] = previous?.minions[name] ?? generateSaltKeyPair();
  const apiPassword = salt.apiPassword ?? previous?.apiPassword ?? generatePassword(40);
  const address = masterMember.address;
  const apiUrl = `https://${address}:${salt.apiPort}`;

  const masterFiles: PayloadFile[] = [
    { path: '/etc/salt/pki/master/master.pem', mode: '0400', content: masterKeys.privateKey },
    { path: '/etc/salt/pki/master/master.pub', mode: '0644', content: masterKeys.publicKey },
    ...minionNames.map((n) => ({ path: `/etc/salt/pki/master/minions/${n}`, mode: '0644', content: minionKeys[n]!.publicKey })),
    {
      path: '/etc/salt/master.d/10-sloth.conf',
      mode: '0644',
      // No autosign_file/autoreject_file here: Salt prefixes an empty path with root_dir, reads
      // '/' as the file on every authentication and answers none (minions and the API time out).
      content: `# Managed by sloth-kubernetes.\n${stringify({ interface: address, auto_accept: false, open_mode: false, job_cache: salt.jobCache })}`,
    },
  ];
  if (salt.apiEnabled) {
    masterFiles.push({
      path: '/etc/salt/master.d/20-sloth-api.conf',
      mode: '0640',
      content: `# Managed by sloth-kubernetes.\n${stringify({
        rest_cherrypy: { host: address, port: salt.apiPort, ssl_crt: '/etc/salt/pki/api/api.crt', ssl_key: '/etc/salt/pki/api/api.key' },
        sharedsecret: apiPassword,
        external_auth: { sharedsecret: { [salt.apiUsername]: ['.*', '@wheel', '@runner', '@jobs'] } },
        // Salt 3006 serves no client through the API unless it is listed here.
        netapi_enable_clients: ['local', 'local_async', 'wheel', 'runner'],
      })}`,
    });
  }

  const steps: Omit<RemoteStep, 'connection'>[] = [
    {
      name: 'salt-master',
      machine: salt.master,
      purpose: `Salt master and API on ${salt.master} (${address})`,
      script: renderSaltMasterScript(salt.master, address, salt.version, minionNames, salt.apiEnabled),
      files: masterFiles,
      vars: {},
      after: [`mesh-${salt.master}`],
      output: salt.apiEnabled ? 'text' : 'none',
      timeoutSeconds: 1200,
    },
  ];
  for (const node of model.nodes.filter((n) => minionNames.includes(n.name))) {
    steps.push({
      name: `salt-minion-${node.name}`,
      machine: node.name,
      purpose: `Salt minion on ${node.name}`,
      script: renderSaltMinionScript(node.name, salt.version),
      files: [
        { path: '/etc/salt/pki/minion/minion.pem', mode: '0400', content: minionKeys[node.name]!.privateKey },
        { path: '/etc/salt/pki/minion/minion.pub', mode: '0644', content: minionKeys[node.name]!.publicKey },
        { path: '/etc/salt/pki/minion/minion_master.pub', mode: '0644', content: masterKeys.publicKey },
        { path: '/etc/salt/minion.d/10-sloth.conf', mode: '0644', content: `# Managed by sloth-kubernetes.\n${stringify({ id: node.name, master: address })}` },
      ],
      vars: {},
      after: [`mesh-${node.name}`, 'salt-master'],
      output: 'none',
      timeoutSeconds: 900,
    });
  }
  return { master: salt.master, masterAddress: address, apiUrl, apiUsername: salt.apiUsername, apiPassword, masterKeys, minionKeys, steps };
}

const installSalt = (args: string) => `if ! salt-call --version 2>/dev/null | grep -q " $SALT_VERSION"; then
  bootstrap="$(mktemp)"
  retry 5 10 curl -sfL --proto '=https' -o "$bootstrap" "$BOOTSTRAP_URL"
  # -X: do not start the daemons yet; their keys and configuration are already in place.
  sh "$bootstrap" -X ${args} stable "$SALT_VERSION"
  rm -f "$bootstrap"
  echo "salt $SALT_VERSION" >>"$changed"
fi`;

const ownForSaltUser = (paths: string) => `# Salt 3006+ runs the master as the 'salt' user when the packages create it.
if id salt >/dev/null 2>&1; then
  chown -R salt:salt ${paths}
fi`;

/** The Salt API's certificate and key, made on the master for its mesh address ($ADDRESS) in `dir`. */
export const saltApiCertificateCommand = (dir: string): string => `  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \\
    -subj "/CN=salt-api" -addext "subjectAltName=IP:$ADDRESS" \\
    -keyout ${dir}/api.key -out ${dir}/api.crt
  chmod 0600 ${dir}/api.key`;

export function renderSaltMasterScript(machine: string, address: string, version: string, minions: readonly string[], api: boolean): string {
  const apiPart = api
    ? `if [ ! -s /etc/salt/pki/api/api.crt ]; then
${saltApiCertificateCommand('/etc/salt/pki/api')}
  echo api.crt >>"$changed"
fi
${ownForSaltUser('/etc/salt/pki/api')}
if id salt >/dev/null 2>&1; then
  chgrp salt /etc/salt/master.d/20-sloth-api.conf
fi
`
    : `# The Salt API is disabled: remove what an earlier deploy set up.
if [ -e /etc/salt/master.d/20-sloth-api.conf ]; then
  rm -f /etc/salt/master.d/20-sloth-api.conf
  echo api-removed >>"$changed"
fi
if systemctl is-enabled --quiet salt-api 2>/dev/null; then
  systemctl disable --now salt-api
fi
`;
  const services = api ? 'salt-master salt-api' : 'salt-master';
  return `${scriptHeader('salt-master', `install the Salt master and API on ${machine}`)}
SALT_VERSION=${shq(version)}
BOOTSTRAP_URL=${shq(SALT_BOOTSTRAP_URL)}
ADDRESS=${shq(address)}
MINIONS=(${minions.map(shq).join(' ')})

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
mkdir -p /etc/salt/pki/master/minions /etc/salt/pki/api
chmod 0700 /etc/salt/pki/master
changed="$(mktemp)"
install_payload "$changed"

# Only the minions of this cluster are accepted: keys of removed nodes go.
for key in /etc/salt/pki/master/minions/* /etc/salt/pki/master/minions_pre/* /etc/salt/pki/master/minions_denied/*; do
  [ -e "$key" ] || continue
  keep=no
  for id in "\${MINIONS[@]}"; do
    if [ "$key" = "/etc/salt/pki/master/minions/$id" ]; then keep=yes; fi
  done
  if [ "$keep" = no ]; then
    echo "removing key $key"
    rm -f "$key"
    echo "$key" >>"$changed"
  fi
done

${installSalt(api ? '-M -N -W' : '-M -N')}
${ownForSaltUser('/etc/salt/pki/master')}
${apiPart}systemctl enable ${services}
if [ -s "$changed" ]; then
  systemctl restart ${services}
else
  systemctl start ${services}
fi
rm -f "$changed"
retry 30 2 systemctl is-active --quiet salt-master
${api ? `retry 30 2 systemctl is-active --quiet salt-api
cat /etc/salt/pki/api/api.crt >&3
echo "Salt master and API are running on $ADDRESS"` : 'echo "Salt master is running on $ADDRESS (no API)"'}
`;
}

export function renderSaltMinionScript(machine: string, version: string): string {
  return `${scriptHeader('salt-minion', `install the Salt minion on ${machine}`)}
SALT_VERSION=${shq(version)}
BOOTSTRAP_URL=${shq(SALT_BOOTSTRAP_URL)}

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
mkdir -p /etc/salt/pki/minion
chmod 0700 /etc/salt/pki/minion
changed="$(mktemp)"
install_payload "$changed"
${installSalt('')}

systemctl enable salt-minion
if [ -s "$changed" ]; then
  systemctl restart salt-minion
else
  systemctl start salt-minion
fi
rm -f "$changed"
retry 30 2 systemctl is-active --quiet salt-minion
echo "Salt minion ${machine} is running"
`;
}
