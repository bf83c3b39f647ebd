// The host firewall: the same public rules the cloud firewall carries, enforced on the
// machine itself, so that a missing or misconfigured cloud firewall still leaves etcd,
// kubelet, the supervisor, the CNI and Salt unreachable except over WireGuard.
//
// Two deliveries of the same script: user-data installs a fixed *baseline* (SSH only, from
// any source: the cloud firewall, which exists before the machine, narrows who), so that
// nothing in user-data changes during the cluster's life; the machine's `host-<m>` step
// then installs the full rule set and runs it again whenever the rules change (a new
// operator address, allowed CIDRs, a user rule, the load balancer appearing). The unit
// re-applies whichever script is installed at every boot. Applying replaces the table in
// one nftables transaction, so running it again is harmless and never leaves a gap.
//
// It filters only physical interfaces, found at boot as the interfaces backed by a device
// (`/sys/class/net/<if>/device`): WireGuard, CNI bridges and tunnels, veths and loopback
// have none, so cluster-internal traffic is never touched and nothing is assumed about
// interface names (eth0, ens5, enp1s0 …). On physical interfaces, only the machine's public
// services are accepted, with the source CIDRs where the rule names them; the cloud
// firewall narrows sources that are our own machines (bastion, load balancer, mesh).
import { isIPv6 } from 'node:net';
import type { FirewallRule } from '../firewall/rules.ts';

export const HOST_FIREWALL_PATH = '/usr/local/sbin/sloth-host-firewall';
export const HOST_FIREWALL_UNIT = 'sloth-host-firewall.service';

function ruleLines(rule: FirewallRule): string[] {
  const cidrs = rule.sources.flatMap((s) => (s.kind === 'cidr' ? [s.cidr] : []));
  const onlyCidrs = cidrs.length === rule.sources.length;
  const match =
    rule.protocol === 'icmp'
      ? 'meta l4proto { icmp, ipv6-icmp }'
      : `${rule.protocol} dport ${rule.ports!.from === rule.ports!.to ? rule.ports!.from : `${rule.ports!.from}-${rule.ports!.to}`}`;
  const comment = `comment "${rule.id}"`;
  if (rule.deployAccess || !onlyCidrs || (cidrs.includes('0.0.0.0/0') && cidrs.includes('::/0'))) return [`${match} accept ${comment}`];
  const v4 = cidrs.filter((c) => !isIPv6(c.split('/')[0]!));
  const v6 = cidrs.filter((c) => isIPv6(c.split('/')[0]!));
  const lines: string[] = [];
  if (v4.includes('0.0.0.0/0')) lines.push(`meta nfproto ipv4 ${match} accept ${comment}`);
  else if (v4.length > 0) lines.push(`ip saddr { ${v4.join(', ')} } ${match} accept ${comment}`);
  if (v6.includes('::/0')) lines.push(`meta nfproto ipv6 ${match} accept ${comment}`);
  else if (v6.length > 0) lines.push(`ip6 saddr { ${v6.join(', ')} } ${match} accept ${comment}`);
  return lines;
}

/** The nftables rules for one machine's physical interfaces, from the public rules that target it. */
export function hostFirewallRules(rules: readonly FirewallRule[]): string[] {
  return rules.filter((r) => r.via === 'public').flatMap(ruleLines);
}

/**
 * The fixed rule set user-data installs: SSH on the machine's port and nothing else, until
 * the machine's `host-<m>` step installs the full one.
 */
export function baselineRules(sshPort: number): FirewallRule[] {
  return [
    {
      id: 'ssh',
      protocol: 'tcp',
      ports: { from: sshPort, to: sshPort },
      sources: [{ kind: 'cidr', cidr: '0.0.0.0/0' }, { kind: 'cidr', cidr: '::/0' }],
      target: 'nodes',
      via: 'public',
      description: 'SSH, narrowed by the cloud firewall',
      origin: 'derived',
      deployAccess: true,
    },
  ];
}

/** The baseline script of user-data: depends on the SSH port alone. */
export function renderBaselineHostFirewallScript(sshPort: number): string {
  return renderHostFirewallScript(baselineRules(sshPort), 'the baseline from cloud-init: SSH only, until the host step installs the full rule set');
}

/** The script that installs the ruleset; run by the host step and again at every boot by a unit. */
export function renderHostFirewallScript(rules: readonly FirewallRule[], which = 'the full rule set, installed by the host step'): string {
  const accepts = hostFirewallRules(rules)
    .map((l) => `    ${l}`)
    .join('\n');
  return `#!/usr/bin/env bash
# sloth-kubernetes host firewall: on physical interfaces, accept only this machine's public
# services; cluster-internal ports are reachable only over WireGuard. Generated; re-applied
# at boot by ${HOST_FIREWALL_UNIT}.
# This is ${which}.
set -euo pipefail

physical=()
for dev in /sys/class/net/*; do
  [ -e "$dev/device" ] || continue
  physical+=("\\"\${dev##*/}\\"")
done
if [ "\${#physical[@]}" -eq 0 ]; then
  echo "sloth-host-firewall: no physical network interface found; not guessing" >&2
  exit 1
fi
interfaces="$(IFS=,; echo "\${physical[*]}")"

nft -f - <<EOF
table inet sloth_host
delete table inet sloth_host
table inet sloth_host {
  chain input {
    type filter hook input priority filter - 10; policy accept;
    iifname { \${interfaces} } jump physical
  }
  chain physical {
    ct state established,related accept
    ct state invalid drop
    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
    udp dport { 68, 546 } accept comment "dhcp"
${accepts}
    counter drop
  }
}
EOF
echo "sloth-host-firewall: filtering \${interfaces}"
`;
}

export function renderHostFirewallUnit(): string {
  return `[Unit]
Description=sloth-kubernetes host firewall (physical interfaces)
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target
After=local-fs.target systemd-udev-trigger.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${HOST_FIREWALL_PATH}

[Install]
WantedBy=multi-user.target
`;
}
