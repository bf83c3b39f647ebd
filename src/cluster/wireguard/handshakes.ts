// How a member's WireGuard interface is doing, from `wg show <iface> dump` (its peer lines) and
// the peers the member's recorded config names: every expected peer present, and each one's
// latest handshake recent. With a persistent keepalive a live peer handshakes again every two
// minutes (WireGuard rekeys after 120 s of traffic, and keepalives are traffic), so a handshake
// older than STALE_AFTER_S means the peer is gone; without one, an old handshake is only idle.

/** Seconds after which a keepalive peer's handshake is stale. */
export const STALE_AFTER_S = 300;

export interface PeerLine {
  publicKey: string;
  endpoint?: string;
  /** Unix seconds; 0 when there has been none. */
  latestHandshake: number;
  /** Bytes received from and sent to the peer. */
  rx: number;
  tx: number;
  /** Seconds; undefined when off. */
  keepalive?: number;
}

/**
 * The peer lines of `wg show <iface> dump` (tab-separated: public key, preshared key,
 * endpoint, allowed IPs, latest handshake, rx, tx, keepalive). The interface line, which
 * holds the private key, is never asked for (the remote command drops it) and is skipped here
 * should it come.
 */
export function parsePeerLines(text: string): PeerLine[] {
  const out: PeerLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 8) continue;
    out.push({
      publicKey: f[0]!,
      ...(f[2] && f[2] !== '(none)' ? { endpoint: f[2] } : {}),
      latestHandshake: Number(f[4]) || 0,
      rx: Number(f[5]) || 0,
      tx: Number(f[6]) || 0,
      ...(f[7] && f[7] !== 'off' ? { keepalive: Number(f[7]) } : {}),
    });
  }
  return out;
}

/** The remote command printing the peer lines of `wg show <iface> dump` and never its interface line (it holds the private key). */
export function peerDumpArgv(iface: string): string[] {
  return ['sh', '-c', 'out="$(wg show "$1" dump)" || exit $?; printf "%s\\n" "$out" | tail -n +2', 'sh', iface];
}

/** The peers' public keys a wg-quick config names. */
export function configPeers(config: string): string[] {
  return [...config.matchAll(/^\s*PublicKey\s*=\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}

export function age(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export interface MemberHandshakes {
  ok: boolean;
  detail: string;
}

/**
 * The verdict on one member: `expected` maps each peer key its config names to the peer's
 * name (keys the stack does not know map to undefined); `optional` holds keys that may be on
 * the interface or not, handshaken or not, and are not judged (VPN clients: a laptop that is
 * off is no fault of the cluster); `now` in unix seconds.
 */
export function judgeHandshakes(all: readonly PeerLine[], expected: ReadonlyMap<string, string | undefined>, now: number, optional: ReadonlySet<string> = new Set()): MemberHandshakes {
  const name = (key: string) => expected.get(key) ?? `${key.slice(0, 8)}…`;
  const problems: string[] = [];
  const ages: number[] = [];
  const peers = all.filter((p) => !optional.has(p.publicKey));
  const seen = new Set(peers.map((p) => p.publicKey));
  for (const key of expected.keys()) if (!seen.has(key) && !optional.has(key)) problems.push(`${name(key)}: not configured on the interface`);
  for (const p of peers) {
    if (!expected.has(p.publicKey)) {
      problems.push(`${name(p.publicKey)}: a peer the stack does not record`);
      continue;
    }
    if (p.latestHandshake === 0) {
      problems.push(`${name(p.publicKey)}: no handshake yet${p.endpoint ? ` (endpoint ${p.endpoint})` : ''}`);
      continue;
    }
    const seconds = Math.max(0, now - p.latestHandshake);
    if (seconds > STALE_AFTER_S && p.keepalive !== undefined) problems.push(`${name(p.publicKey)}: last handshake ${age(seconds)} ago`);
    else ages.push(seconds);
  }
  if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
  if (peers.length === 0) return { ok: true, detail: 'no peers' };
  const lo = Math.min(...ages);
  const hi = Math.max(...ages);
  return { ok: true, detail: `${peers.length} peer${peers.length === 1 ? '' : 's'}, latest handshakes ${lo === hi ? age(lo) : `${age(lo)}–${age(hi)}`} ago` };
}
