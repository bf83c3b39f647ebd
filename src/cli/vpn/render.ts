// Rendering of the vpn use cases: what was done where, the peers table, the QR code.
import { renderUnicodeCompact } from 'uqr';
import type { CliIO } from '../io.ts';
import { withCli } from '../host.ts';
import { json, table } from '../stacks/render.ts';
import { reveal } from '../../state/index.ts';
import type { MachineOutcome, VpnJoinInput } from '../../ops/vpn.ts';

interface Flags {
  json?: boolean;
  passwordStdin?: boolean;
}

function qr(io: CliIO, text: string): void {
  io.stdout.write(`${renderUnicodeCompact(text, { ecc: 'L', border: 2 })}\n`);
}

const machinesLine = (machines: MachineOutcome[]) => `${machines.filter((m) => m.ok).length} of ${machines.length} machines updated (${machines.map((m) => m.machine).join(', ')})`;

export async function join(io: CliIO, input: VpnJoinInput, flags: Flags & { qr?: boolean }): Promise<void> {
  const { vpnJoin } = await import('../../ops/vpn.ts');
  const r = await withCli(io, flags, (ctx) => vpnJoin(ctx, input));
  if (flags.json) {
    io.stdout.write(json({ stack: r.stack, name: r.name, address: r.address, routes: r.routes, gateway: r.gateway ?? null, path: r.path, rejoined: r.rejoined, machines: r.machines }));
  } else {
    io.stdout.write(
      `${r.rejoined ? 'Joined again' : 'Joined'} the mesh of stack '${r.stack}' as ${r.name} (${r.address})${r.routes ? `, routing the pod and service networks through ${r.gateway}` : ''}: ${machinesLine(r.machines)}.\n` +
        `Configuration (mode 0600, holds the private key): ${r.path}\nBring it up with: sudo wg-quick up ${r.path}\n`,
    );
  }
  if (flags.qr) qr(io, String(reveal(r.config)));
}

export async function leave(io: CliIO, input: { stack: string; name: string }, flags: Flags): Promise<void> {
  const { vpnLeave } = await import('../../ops/vpn.ts');
  const r = await withCli(io, flags, (ctx) => vpnLeave(ctx, input));
  if (flags.json) io.stdout.write(json(r));
  else io.stdout.write(`${r.name} (${r.address}) left the mesh of stack '${r.stack}': ${machinesLine(r.machines)}. Its address is not handed out again.\n`);
}

function age(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

export async function status(io: CliIO, input: { stack: string }, flags: Flags): Promise<void> {
  const { vpnStatus } = await import('../../ops/vpn.ts');
  const r = await withCli(io, flags, (ctx) => vpnStatus(ctx, input));
  if (flags.json) {
    io.stdout.write(json(r));
    return;
  }
  if (r.clients.length === 0) {
    io.stdout.write(`Stack '${r.stack}' has no VPN clients. Join with: sloth-kubernetes vpn join ${r.stack}\n`);
    return;
  }
  io.stdout.write(
    table([
      ['CLIENT', 'ADDRESS', 'ROUTES', 'MACHINE', 'HANDSHAKE', 'ENDPOINT', 'RECEIVED', 'SENT'],
      ...r.peers.map((p) => [p.client, p.address, p.routes ? 'yes' : 'no', p.machine, age(p.handshakeAgeSeconds), p.endpoint ?? '-', bytes(p.receivedBytes), bytes(p.sentBytes)]),
    ]),
  );
  const missing = r.clients.filter((c) => !r.peers.some((p) => p.client === c.name));
  for (const c of missing) io.stdout.write(`${c.name} (${c.address}) is carried by no machine that answered: run vpn join again from it.\n`);
  for (const u of r.unreachable) io.stderr.write(`warning: ${u.machine}: ${u.error}\n`);
}

export async function clientConfig(io: CliIO, input: { stack: string; name: string; output?: string }, flags: Flags & { qr?: boolean; showSecrets?: boolean }): Promise<void> {
  const { vpnClientConfig } = await import('../../ops/vpn.ts');
  const r = await withCli(io, flags, (ctx) => vpnClientConfig(ctx, input));
  if (flags.showSecrets) io.stdout.write(String(reveal(r.config)));
  io.stderr.write(`Wrote the configuration of ${r.name} (mode 0600, holds the private key) to ${r.path}\n`);
  if (flags.qr) qr(io, String(reveal(r.config)));
}
