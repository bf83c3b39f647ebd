// cloud-init user-data for every machine we create. It prepares the machine and nothing
// more: our login user with the deploy key, the SSH host key we generated (so the first
// connection already pins it), sshd hardening, IP forwarding, the packages the later steps
// need, and the host firewall. Everything that depends on other machines (the mesh,
// Kubernetes, Salt) runs later as remote steps, once every address is known.
//
// The user-data is stored by the cloud and readable through its API, so it carries no
// cluster secret; the only private material in it is the host key, which proves the
// machine's identity and nothing else (see docs/bootstrap.md).
import { stringify } from 'yaml';
import { HOST_FIREWALL_PATH, HOST_FIREWALL_UNIT, renderHostFirewallScript, renderHostFirewallUnit } from './host-firewall.ts';
import type { FirewallRule } from '../firewall/rules.ts';
import type { SshKeyPair } from './ssh-keys.ts';

export interface UserDataInput {
  hostname: string;
  kind: 'node' | 'bastion';
  /** Login user created on the machine (sudo without password, key only). */
  sshUser: string;
  sshPort: number;
  /** Public half of the deploy key (`ssh-ed25519 …`). */
  authorizedKeys: readonly string[];
  hostKey: SshKeyPair;
  /** Public rules that target this machine, enforced by the host firewall. */
  firewallRules: readonly FirewallRule[];
  /** Non-secret facts written to /etc/sloth/machine.json for people and scripts on the machine. */
  facts: Record<string, unknown>;
  /** sshd AllowUsers; the login user is always included. Empty: any user with a key. */
  allowedUsers?: readonly string[];
  /** Minutes of silence before sshd drops a session (0 or absent: never). */
  idleTimeoutMinutes?: number;
  maxSessions?: number;
}

export const PACKAGES = ['ca-certificates', 'curl', 'nftables', 'wireguard-tools'];

function sshdConfig(input: UserDataInput): string {
  const lines = [
    '# Managed by sloth-kubernetes.',
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
  if (input.allowedUsers && input.allowedUsers.length > 0) lines.push(`AllowUsers ${[...new Set([input.sshUser, ...input.allowedUsers])].join(' ')}`);
  if (input.idleTimeoutMinutes && input.idleTimeoutMinutes > 0) lines.push('ClientAliveInterval 60', `ClientAliveCountMax ${input.idleTimeoutMinutes}`);
  if (input.maxSessions) lines.push(`MaxSessions ${input.maxSessions}`);
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
        ssh_authorized_keys: [...input.authorizedKeys],
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
      { path: HOST_FIREWALL_PATH, permissions: '0755', content: renderHostFirewallScript(input.firewallRules) },
      { path: `/etc/systemd/system/${HOST_FIREWALL_UNIT}`, permissions: '0644', content: renderHostFirewallUnit() },
      { path: '/etc/sloth/machine.json', permissions: '0644', content: `${JSON.stringify({ name: input.hostname, kind: input.kind, ...input.facts }, null, 2)}\n` },
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
