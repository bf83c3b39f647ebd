import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

// Flags and help only; each action imports its implementation from ../stacks/.
export function register(program: Command, io: CliIO): void {
  const stacks = program
    .command('stacks')
    .description('manage encrypted stacks: create, list, info, output, cancel, delete, export, import, state')
    .addHelpText('after', '\nThe backend is PULUMI_BACKEND_URL, else ~/.sloth-kubernetes/config, else file://~ (state in ~/.pulumi).');

  stacks
    .command('create <name>')
    .description('create a new encrypted stack (passphrase or AWS KMS)')
    .option('--password-stdin', 'read the passphrase from standard input')
    .option('--kms-key <arn-or-alias>', 'encrypt with this AWS KMS key (ARN, alias/NAME, key id or awskms:// URL)')
    .addOption(jsonFlag('print the result as JSON'))
    .action(async (name: string, opts: { passwordStdin?: boolean; kmsKey?: string; json?: boolean }) => {
      const { createStack } = await import('../stacks/create.ts');
      await createStack(io, name, opts);
    });

  stacks
    .command('list')
    .alias('ls')
    .description('list the stacks of the backend')
    .addOption(jsonFlag())
    .action(async (opts: { json?: boolean }) => {
      const { listStacks } = await import('../stacks/list.ts');
      await listStacks(io, opts);
    });

  stacks
    .command('info <name>')
    .description('show backend, last update, status and resources of a stack')
    .addOption(jsonFlag())
    .action(async (name: string, opts: { json?: boolean }) => {
      const { stackInfo } = await import('../stacks/info.ts');
      await stackInfo(io, name, opts);
    });

  stacks
    .command('output <name> [key]')
    .description('show the outputs of a stack, or the one named by key (secrets hidden unless --show-secrets)')
    .option('--show-secrets', 'print secret values in plaintext')
    .option('--password-stdin', 'read the passphrase from standard input')
    .addOption(jsonFlag())
    .addHelpText('after', '\nOne value prints bare: text as it is, a list one item a line, anything else as JSON (--json: always JSON).\nCluster outputs: master_ips, worker_ips, api_endpoint, mesh_addresses (plain); kubeConfig, nodes, salt_master, argocd (secrets).')
    .action(async (name: string, key: string | undefined, opts: { showSecrets?: boolean; passwordStdin?: boolean; json?: boolean }) => {
      const { stackOutput } = await import('../stacks/output.ts');
      await stackOutput(io, name, key, opts);
    });

  stacks
    .command('cancel <name>')
    .description('unlock a stack left locked by an interrupted operation')
    .addOption(jsonFlag('print the removed locks as JSON'))
    .action(async (name: string, opts: { json?: boolean }) => {
      const { cancelStack } = await import('../stacks/cancel.ts');
      await cancelStack(io, name, opts);
    });

  stacks
    .command('delete <name>')
    .alias('remove')
    .alias('rm')
    .description('delete a stack and its state (cloud resources are NOT destroyed)')
    .option('-f, --force', 'delete even if the stack still has resources')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      '\nWith --force the stack\'s cloud resources stay, untracked; `refresh --config` in a new stack of the same name finds them again,\n' +
        'but the keys and tokens the stack generated go with it. Keep a copy first: stacks export <name> --show-secrets --file <file> (mode 0600).',
    )
    .action(async (name: string, opts: { force?: boolean; yes?: boolean }) => {
      const { deleteStack } = await import('../stacks/delete.ts');
      await deleteStack(io, name, opts);
    });

  stacks
    .command('export <name>')
    .description("write the stack's deployment in Pulumi's export format")
    .option('--show-secrets', 'write secrets in plaintext (the file is created 0600)')
    .option('--file <file>', 'write to this file instead of standard output')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (name: string, opts: { showSecrets?: boolean; file?: string; passwordStdin?: boolean }) => {
      const { exportStack } = await import('../stacks/export.ts');
      await exportStack(io, name, opts);
    });

  stacks
    .command('import <name> <file>')
    .description('replace the deployment of a stack with an exported one (or a checkpoint copy)')
    .option('-f, --force', 'import even if URNs name another stack or integrity rules fail')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (name: string, file: string, opts: { force?: boolean; passwordStdin?: boolean }) => {
      const { importStack } = await import('../stacks/import.ts');
      await importStack(io, name, file, opts);
    });

  const state = stacks.command('state').description('state surgery for rare repairs (each edit is locked and kept in the history)');

  state
    .command('list <name>')
    .description('list the resources in the state: URN, type, id, flags')
    .addOption(jsonFlag())
    .action(async (name: string, opts: { json?: boolean }) => {
      const { stateList } = await import('../stacks/state.ts');
      await stateList(io, name, opts);
    });

  state
    .command('delete <name> <urn>')
    .description('remove one resource from the state (the cloud resource is not touched)')
    .option('-f, --force', 'delete even if other resources depend on it (their references are removed)')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (name: string, urn: string, opts: { force?: boolean; passwordStdin?: boolean }) => {
      const { stateDelete } = await import('../stacks/state.ts');
      await stateDelete(io, name, urn, opts);
    });

  state
    .command('unprotect <name> [urn]')
    .description('clear the protect flag of one resource, or of all with --all')
    .option('--all', 'unprotect every resource')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (name: string, urn: string | undefined, opts: { all?: boolean; passwordStdin?: boolean }) => {
      const { stateUnprotect } = await import('../stacks/state.ts');
      await stateUnprotect(io, name, urn, opts);
    });

  state
    .command('repair <name>')
    .description('fix integrity problems that can be fixed (order, dangling references)')
    .option('--dry-run', 'show what would be done, change nothing')
    .option('--password-stdin', 'read the passphrase from standard input')
    .addOption(jsonFlag('print the plan as JSON'))
    .action(async (name: string, opts: { dryRun?: boolean; passwordStdin?: boolean; json?: boolean }) => {
      const { stateRepair } = await import('../stacks/state.ts');
      await stateRepair(io, name, opts);
    });
}
