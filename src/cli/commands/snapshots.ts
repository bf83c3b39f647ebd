// `snapshots list|show|diff`: the snapshot kept by each deployment (its rollback point).
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  const snapshots = program.command('snapshots').description('the snapshots of a stack: the inputs and resources of each deployment, its rollback points');

  snapshots
    .command('list [stack]', { isDefault: true })
    .description('list the snapshots, newest first, with their status (active, archived, rolled_back)')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string | undefined, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { listSnapshots } = await import('../history/snapshots.ts');
      await listSnapshots(io, stack, opts);
    });

  snapshots
    .command('show <stack> <snapshot>')
    .description('one snapshot (by snapshot id, deployment id or a unique prefix): pools, change log, deploy options')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, ref: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { showSnapshot } = await import('../history/snapshots.ts');
      await showSnapshot(io, stack, ref, opts);
    });

  snapshots
    .command('diff <stack> <from> <to>')
    .description('what changed between two snapshots: node pools (added, removed, scaled, changed) and resources (added, removed, replaced)')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, from: string, to: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { diffSnapshotsCommand } = await import('../history/snapshots.ts');
      await diffSnapshotsCommand(io, stack, from, to, opts);
    });
}
