// The `host-<m>` step: everything about a machine's host that may change while the cluster
// lives, kept out of user-data (a change there replaces the machine) and applied over SSH
// instead, again whenever it changes:
//   - the full host firewall (the rules follow the operator's address, allowed CIDRs, user
//     rules and whether the API has a load balancer), replacing the baseline of user-data;
//   - who may log in: the login user's authorized keys (the deploy key plus
//     `security.ssh authorized-keys`) and sshd's access settings (`AllowUsers`, the
//     bastion's idle timeout and `MaxSessions`), checked with `sshd -t` before sshd reloads;
//   - /etc/sloth/machine.json, the facts people and scripts on the machine read.
// Nothing here is secret (public keys, rules, names), so the files travel inside the script
// and a preview's diff shows exactly what changes.
import { HOST_FIREWALL_PATH, HOST_FIREWALL_UNIT } from './host-firewall.ts';
import { WRITE_FILE_FUNCTION, scriptHeader, shq, writeFileCommand } from './shell.ts';

export const SSHD_ACCESS_PATH = '/etc/ssh/sshd_config.d/61-sloth-access.conf';
export const MACHINE_FACTS_PATH = '/etc/sloth/machine.json';

export interface HostConfigInput {
  machine: string;
  /** The login user whose authorized keys this step owns. */
  loginUser: string;
  /** Every key allowed to log in as the login user; the deploy key first (never left out). */
  authorizedKeys: readonly string[];
  /** sshd AllowUsers; the login user is always included. Empty: any user with a key. */
  allowedUsers?: readonly string[];
  /** Minutes of silence before sshd drops a session (0 or absent: never). */
  idleTimeoutMinutes?: number;
  maxSessions?: number;
  /** The full host firewall script (renderHostFirewallScript). */
  firewallScript: string;
  /** Non-secret facts for /etc/sloth/machine.json. */
  facts: Record<string, unknown>;
}

/** sshd settings that may change during the machine's life. */
export function sshdAccessConfig(input: Pick<HostConfigInput, 'loginUser' | 'allowedUsers' | 'idleTimeoutMinutes' | 'maxSessions'>): string {
  const lines = ['# Managed by sloth-kubernetes (host step): who may log in, and for how long.'];
  if (input.allowedUsers && input.allowedUsers.length > 0) lines.push(`AllowUsers ${[...new Set([input.loginUser, ...input.allowedUsers])].join(' ')}`);
  if (input.idleTimeoutMinutes && input.idleTimeoutMinutes > 0) lines.push('ClientAliveInterval 60', `ClientAliveCountMax ${input.idleTimeoutMinutes}`);
  if (input.maxSessions) lines.push(`MaxSessions ${input.maxSessions}`);
  return `${lines.join('\n')}\n`;
}

export function renderHostConfigScript(input: HostConfigInput): string {
  for (const key of input.authorizedKeys) {
    if (/[\r\n]/.test(key)) throw new Error(`an authorized key for ${input.machine} spans more than one line`);
  }
  const keys = `${[...new Set(input.authorizedKeys)].join('\n')}\n`;
  return `${scriptHeader('host', `host firewall and SSH access on ${input.machine}`)}
${WRITE_FILE_FUNCTION}
LOGIN_USER=${shq(input.loginUser)}
changed="$(mktemp)"
trap 'rm -f "$changed"' EXIT

# Facts for people and scripts on the machine.
${writeFileCommand('"$changed"', shq(MACHINE_FACTS_PATH), '0644', `${JSON.stringify({ name: input.machine, ...input.facts }, null, 2)}\n`)}
# Who may log in as the login user: the deploy key (always) and the configured keys.
home="$(getent passwd "$LOGIN_USER" | cut -d: -f6)"
if [ -z "$home" ] || [ ! -d "$home" ]; then
  echo "the login user $LOGIN_USER has no home directory on ${input.machine}"
  exit 1
fi
install -d -m 0700 -o "$LOGIN_USER" -g "$(id -gn "$LOGIN_USER")" "$home/.ssh"
${writeFileCommand('"$changed"', '"$home/.ssh/authorized_keys"', '0600', keys)}chown "$LOGIN_USER:$(id -gn "$LOGIN_USER")" "$home/.ssh/authorized_keys"

# sshd access settings, checked before sshd reloads; a rejected file is put back as it was.
previous="$(mktemp)"
had_previous=0
if [ -f ${shq(SSHD_ACCESS_PATH)} ]; then cp -p ${shq(SSHD_ACCESS_PATH)} "$previous"; had_previous=1; fi
${writeFileCommand('"$changed"', shq(SSHD_ACCESS_PATH), '0644', sshdAccessConfig(input))}if grep -qxF ${shq(SSHD_ACCESS_PATH)} "$changed"; then
  if ! sshd -t; then
    echo "sshd rejects the new access settings on ${input.machine}; keeping the previous ones"
    if [ "$had_previous" -eq 1 ]; then mv -f "$previous" ${shq(SSHD_ACCESS_PATH)}; else rm -f ${shq(SSHD_ACCESS_PATH)}; fi
    exit 1
  fi
  for unit in ssh.service sshd.service; do
    if systemctl is-active --quiet "$unit"; then systemctl reload "$unit"; fi
  done
  echo "sshd access settings updated"
fi
rm -f "$previous"

# The full host firewall, replacing the baseline (or the previous rules) in one transaction;
# applied on every run, so a ruleset changed by hand on the machine is put back. The boot
# unit (${HOST_FIREWALL_UNIT}, enabled by cloud-init) applies this file from now on.
${writeFileCommand('"$changed"', shq(HOST_FIREWALL_PATH), '0755', input.firewallScript)}${shq(HOST_FIREWALL_PATH)}
if [ -s "$changed" ]; then echo "changed: $(tr '\\n' ' ' <"$changed")"; fi
echo "host firewall and SSH access are in place on ${input.machine}"
`;
}
