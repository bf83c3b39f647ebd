// cloud-init user-data for every machine we create. It gives the machine its identity and
// a way in, and nothing more: our login user with the deploy key, the SSH host key we
// generated (so the first connection already pins it), fixed sshd hardening on the SSH
// port, IP forwarding, the packages the later steps need, and a baseline host firewall
// (SSH only). Everything else runs later as remote steps, which re-run when their inputs
// change: the full host firewall, extra authorized keys and sshd access settings
// (`host-<m>`), the mesh, Kubernetes, Salt.
//
// Every cloud replaces a machine whose user-data changes, so user-data depends only on what
// is fixed for the machine's life: its name and kind, the login user, the SSH port, the
// deploy key and its host key. Never on the operator's address, firewall rules, the load
// balancer, other machines, or anything else that changes while the cluster lives.
//
// The user-data is stored by the cloud and readable through its API, so it carries no
// cluster secret; the only private material in it is the host key, which proves the
// machine's identity and nothing else (see docs/bootstrap.md).
import { stringify } from 'yaml';
import { HOST_FIREWALL_PATH, HOST_FIREWALL_UNIT, renderBaselineHostFirewallScript, renderHostFirewallUnit } from './host-firewall.ts';
import type { SshKeyPair } from './ssh-keys.ts';

export interface UserDataInput {
  hostname: string;
  kind: 'node' | 'bastion';
  /** Login user created on the machine (sudo without password, key only). */
  sshUser: string;
  /** The port sshd listens on; the baseline host firewall opens it. */
  sshPort: number;
  /** Public half of the deploy key (`ssh-ed25519 …`): the one key in user-data. */
  deployPublicKey: string;
  hostKey: SshKeyPair;
}

export const PACKAGES = ['ca-certificates', 'curl', 'nftables', 'wireguard-tools'];

/** The fixed part of sshd's configuration; access settings that may change are the host step's (61-sloth-access.conf). */
function sshdConfig(input: UserDataInput): string {
  const lines = [
    '# Managed by sloth-kubernetes (fixed for the machine\'s life; access settings: 61-sloth-access.conf).',
    `Port ${input.sshPort}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'X11Forwarding no',
    'AllowAgentForwarding no',
    // The bastion forwards our connections to the nodes (ssh -J); nodes forward nothing.
    `AllowTcpForwarding ${input.kind === 'bastion' ? 'yes' : 'no'}`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
  ];
  return `${lines.join('\n')}\n`;
}

/** The `#cloud-config` document for one machine. */
export function renderUserData(input: UserDataInput): string {
  const doc = {
    hostname: input.hostname,
    preserve_hostname: false,
    users: [
      {
        name: input.sshUser,
        shell: '/bin/bash',
        lock_passwd: true,
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        ssh_authorized_keys: [input.deployPublicKey],
      },
    ],
    disable_root: true,
    ssh_pwauth: false,
    ssh_deletekeys: true,
    ssh_keys: {
      ed25519_private: input.hostKey.privateKey,
      ed25519_public: input.hostKey.publicKey,
    },
    package_update: true,
    packages: PACKAGES,
    write_files: [
      { path: '/etc/ssh/sshd_config.d/60-sloth.conf', permissions: '0644', content: sshdConfig(input) },
      // Kubernetes needs forwarding on every node; the bastion forwards the mesh for nodes
      // that have no public address.
      { path: '/etc/sysctl.d/90-sloth.conf', permissions: '0644', content: 'net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n' },
      { path: HOST_FIREWALL_PATH, permissions: '0755', content: renderBaselineHostFirewallScript(input.sshPort) },
      { path: `/etc/systemd/system/${HOST_FIREWALL_UNIT}`, permissions: '0644', content: renderHostFirewallUnit() },
    ],
    runcmd: [
      ['sysctl', '--system'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', HOST_FIREWALL_UNIT],
      // sshd reads the drop-in on restart; Ubuntu 22.10+ listens through ssh.socket instead.
      ['sh', '-c', 'if systemctl is-active --quiet ssh.socket; then systemctl restart ssh.socket; fi; systemctl try-restart ssh.service sshd.service 2>/dev/null || true'],
    ],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
