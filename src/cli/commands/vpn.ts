// `vpn join|leave|status|peers|client-config`: this machine in the cluster's WireGuard mesh.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag, outputFileFlag } from '../output.ts';

/** The default client name: this machine's host name, made a valid interface name. */
function defaultName(): string {
  const name = hostname().toLowerCase().split('.')[0]!.replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 15).replace(/-+$/, '');
  return name || 'laptop';
}

export function register(program: Command, io: CliIO): void {
  const vpn = program.command('vpn').description("this machine in the cluster's WireGuard mesh: reach mesh addresses (and, with --routes, pods and services) without opening ports");
  vpn
    .command('join <stack>')
    .description('join the mesh: a key pair made here, an address never used before, the peer added to every machine over SSH; writes a wg-quick file (0600)')
    .option('--name <name>', "this client's name, also its interface name (1-15 of a-z, 0-9, '-'; default: this machine's host name)")
    .option('--routes', 'also route the pod and service networks (through one node, which masquerades them)')
    .option('--no-routes', 'stop routing them (a client that joined with --routes)')
    .addOption(outputFileFlag('where to write the wg-quick file (default ~/.sloth-kubernetes/vpn/<stack>/<name>.conf)'))
    .option('--qr', 'also print the file as a QR code (for a phone): it holds the private key')
    .addOption(jsonFlag('print the result as JSON (without the file)'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText('after', '\nThen: sudo wg-quick up <file>. Running it again converges (same address and key).')
    .action(async (stack: string, opts: { name?: string; routes?: boolean; output?: string; qr?: boolean; json?: boolean; passwordStdin?: boolean }, cmd: Command) => {
      const { join } = await import('../vpn/render.ts');
      const routes = cmd.getOptionValueSource('routes') === 'cli' ? opts.routes : undefined;
      await join(io, { stack, name: opts.name ?? defaultName(), routes, output: opts.output }, opts);
    });
  vpn
    .command('leave <stack> <name>')
    .description('remove a client from every machine; its address is never handed out again')
    .addOption(jsonFlag('print the result as JSON'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, name: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { leave } = await import('../vpn/render.ts');
      await leave(io, { stack, name }, opts);
    });
  for (const [command, alias] of [['status', 'peers'] as const]) {
    vpn
      .command(`${command} <stack>`)
      .alias(alias)
      .description("the clients, and each one's latest handshake and transfer as every machine sees it (read from the machines over SSH)")
      .addOption(jsonFlag())
      .option('--password-stdin', 'read the passphrase from standard input')
      .action(async (stack: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
        const { status } = await import('../vpn/render.ts');
        await status(io, { stack }, opts);
      });
  }
  vpn
    .command('client-config <stack> <name>')
    .description("write a client's wg-quick file again (0600), e.g. for another device; audited")
    .addOption(outputFileFlag('where to write it (default ~/.sloth-kubernetes/vpn/<stack>/<name>.conf)'))
    .option('--qr', 'also print it as a QR code (it holds the private key)')
    .option('--show-secrets', 'print the file on standard output too')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, name: string, opts: { output?: string; qr?: boolean; showSecrets?: boolean; passwordStdin?: boolean }) => {
      const { clientConfig } = await import('../vpn/render.ts');
      await clientConfig(io, { stack, name, output: opts.output }, opts);
    });
}
