// Reads back, from a stack's last deployment, what the planner generated before: mesh
// addresses and keys, host keys (user-data and own), the deploy key, tokens, Salt keys, VPN clients, which server
// initialised etcd, and whether the stack was rebuilt by refresh --config (recovery.ts). Planning from it keeps all of them; nothing is renumbered or rotated.
import { reveal as revealValue, type Deployment, type PropertyMap, type PropertyValue } from '../state/types.ts';
import { readVpnRecord, VPN_OUTPUT } from './wireguard/clients.ts';
import { CLUSTER_RECORD_TYPE, MACHINE_RECORD_TYPE } from './remote/package.ts';
import { emptyPrevious, type PreviousCluster } from './plan.ts';

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v === undefined ? undefined : revealValue(v));
const text = (m: PropertyMap | undefined, k: string): string | undefined => {
  const v = reveal(m?.[k]);
  return typeof v === 'string' && v !== '' ? v : undefined;
};

export function previousFromDeployment(deployment: Deployment | undefined, clusterName: string): PreviousCluster {
  const previous = emptyPrevious();
  if (!deployment) return previous;
  const live = deployment.resources.filter((r) => !r.delete);
  // VPN clients are recorded by `vpn join` in the root stack outputs, not by a deploy.
  previous.vpn = readVpnRecord(reveal(live.find((r) => r.type === 'pulumi:pulumi:Stack')?.outputs?.[VPN_OUTPUT]));
  const cluster = live.find((r) => r.type === CLUSTER_RECORD_TYPE && r.urn.endsWith(`::${clusterName}`));
  const c = cluster?.inputs;
  if (c) {
    previous.recovered = text(c, 'recovered');
    const deployPublic = text(c, 'deployPublicKey');
    const deployPrivate = text(c, 'deployPrivateKey');
    // A rebuilt stack knows the public half only (recovery.ts).
    if (deployPublic && (deployPrivate || previous.recovered)) previous.deployKey = { publicKey: deployPublic, privateKey: deployPrivate ?? '' };
    const server = text(c, 'serverToken');
    const agent = text(c, 'agentToken');
    if (server && agent) previous.tokens = { server, agent };
    previous.initServer = text(c, 'initServer');
    const servers = reveal(c['servers']);
    previous.servers = Array.isArray(servers) ? servers.filter((s): s is string => typeof s === 'string') : [];
    const saltPublic = text(c, 'saltMasterPublicKey');
    const saltPrivate = text(c, 'saltMasterPrivateKey');
    if (saltPublic && saltPrivate) previous.salt = { master: { publicKey: saltPublic, privateKey: saltPrivate }, minions: {}, apiPassword: text(c, 'saltApiPassword') };
  }
  for (const r of live.filter((x) => x.type === MACHINE_RECORD_TYPE)) {
    const name = r.urn.slice(r.urn.lastIndexOf('::') + 2);
    const m = r.inputs;
    const address = text(m, 'meshAddress');
    const wgPrivate = text(m, 'wireguardPrivateKey');
    if (address && wgPrivate) previous.mesh[name] = { address, privateKey: wgPrivate };
    const hostPublic = text(m, 'hostPublicKey');
    const hostPrivate = text(m, 'hostPrivateKey');
    if (hostPublic && hostPrivate) previous.hostKeys[name] = { publicKey: hostPublic, privateKey: hostPrivate };
    const ownPublic = text(m, 'ownHostPublicKey');
    const ownPrivate = text(m, 'ownHostPrivateKey');
    if (ownPublic && ownPrivate) previous.ownHostKeys[name] = { publicKey: ownPublic, privateKey: ownPrivate };
    const saltPublic = text(m, 'saltPublicKey');
    const saltPrivate = text(m, 'saltPrivateKey');
    if (saltPublic && saltPrivate) {
      previous.salt ??= { minions: {} };
      previous.salt.minions[name] = { publicKey: saltPublic, privateKey: saltPrivate };
    }
  }
  return previous;
}
