// `health [stack]` and `status [stack]`: real checks of a stack's cluster; exit 0 healthy,
// 1 degraded, 2 unreachable.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

const EXIT_HELP = [
  '',
  'Checks: the API (/readyz), its serving certificate and the kubeconfig client certificate (expiry),',
  'every node (Ready, kubelet version, pressure conditions), DNS and CNI pods, etcd members, and the',
  'WireGuard handshake of every peer on every machine (wg show over SSH, through the bastion).',
  '',
  'Exit status: 0 healthy, 1 degraded (a check failed), 2 unreachable (the API could not be asked).',
].join('\n');

export function register(program: Command, io: CliIO): void {
  for (const [name, description] of [
    ['health', "check a stack's cluster: API, certificates, nodes, system pods, etcd, WireGuard"],
    ['status', "the stack's last deployment and the health of its cluster"],
  ] as const) {
    program
      .command(`${name} [stack]`)
      .description(description)
      .option('--no-wireguard', 'skip the WireGuard check (no SSH to the machines)')
      .addOption(jsonFlag('print the report as JSON'))
      .option('--password-stdin', 'read the passphrase from standard input')
      .addHelpText('after', EXIT_HELP)
      .action(async (stack: string | undefined, opts: { wireguard: boolean; json?: boolean; passwordStdin?: boolean }) => {
        const { healthCommand } = await import('../cluster/health.ts');
        await healthCommand(io, name, stack, opts);
      });
  }
}
