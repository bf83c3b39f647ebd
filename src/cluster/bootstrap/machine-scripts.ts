// Scripts every machine runs as remote steps: waiting for cloud-init to finish (so
// readiness is known, not guessed) and bringing up or updating the WireGuard interface.
import { INSTALL_PAYLOAD_FUNCTION, RETRY_FUNCTION, scriptHeader, shq } from './shell.ts';
import { HOST_FIREWALL_UNIT } from './host-firewall.ts';

/** Waits for cloud-init; on failure prints the tail of its log so the report says why. */
export function renderWaitForCloudInitScript(machine: string): string {
  return `${scriptHeader('cloud-init', `wait until cloud-init has finished on ${machine}`)}
status=0
cloud-init status --wait >/dev/null || status=$?
# 0: done; 2: done with recoverable errors (cloud-init 23.4+); anything else: failed.
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "cloud-init failed on ${machine} (status $status); last lines of its log:"
  tail -n 40 /var/log/cloud-init-output.log || true
  cloud-init status --long || true
  exit 1
fi
if [ "$status" -eq 2 ]; then
  echo "cloud-init finished with recoverable errors:"
  cloud-init status --long || true
fi
if ! systemctl is-active --quiet ${HOST_FIREWALL_UNIT}; then
  echo "the host firewall is not active on ${machine}:"
  systemctl status --no-pager ${HOST_FIREWALL_UNIT} || true
  exit 1
fi
echo "cloud-init finished on ${machine}"
`;
}

/**
 * Installs the member's wg-quick file (from the stdin payload) and brings the interface up,
 * or, when it is already up, loads the new peer list with `wg syncconf` so that existing
 * tunnels never drop while nodes come and go.
 */
export function renderMeshScript(machine: string, interfaceName: string): string {
  return `${scriptHeader('mesh', `bring up WireGuard interface ${interfaceName} on ${machine}`)}
IFACE=${shq(interfaceName)}
CONFIG="/etc/wireguard/\${IFACE}.conf"
# VPN clients that route the cluster networks through this node (empty table elsewhere).
CLIENTS_NFT="/etc/wireguard/\${IFACE}-clients.nft"

${INSTALL_PAYLOAD_FUNCTION}
${RETRY_FUNCTION}
mkdir -p /etc/wireguard
chmod 0700 /etc/wireguard
changed="$(mktemp)"
install_payload "$changed"

systemctl enable "wg-quick@\${IFACE}"
if ip link show dev "$IFACE" >/dev/null 2>&1; then
  if [ -s "$changed" ]; then
    echo "updating peers of $IFACE in place"
    stripped="$(mktemp)"
    wg-quick strip "$CONFIG" >"$stripped"
    wg syncconf "$IFACE" "$stripped"
    rm -f "$stripped"
    address="$(sed -n 's/^Address = //p' "$CONFIG")"
    ip address replace "$address" dev "$IFACE"
    # New peers need their routes; wg-quick adds them only when the interface comes up.
    for allowed in $(wg show "$IFACE" allowed-ips | cut -f2-); do
      if [ "$allowed" = "(none)" ]; then continue; fi
      ip route replace "$allowed" dev "$IFACE"
    done
  fi
else
  systemctl start "wg-quick@\${IFACE}"
fi
rm -f "$changed"
retry 10 1 ip link show dev "$IFACE" >/dev/null
if [ -s "$CLIENTS_NFT" ]; then
  nft -f "$CLIENTS_NFT"
fi
wg show "$IFACE" | sed -n '1,4p'
echo "$IFACE is up with $(wg show "$IFACE" peers | wc -l) peers"
`;
}
