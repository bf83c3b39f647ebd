// `manifests list|show|history|diff`: the registry of every manifest the tool applied or generated.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

interface Common {
  json?: boolean;
  passwordStdin?: boolean;
}

export function register(program: Command, io: CliIO): void {
  const manifests = program
    .command('manifests')
    .description('the manifest registry of a stack: RKE2/K3s configs, ArgoCD, user manifests (deploy --manifest), with versions and status')
    .addHelpText('after', '\nTypes: rke, rke2, k3s, argocd, helm, kustomize, raw. Statuses: pending, applied, failed, deleted, out_of_sync.');

  manifests
    .command('list [stack]', { isDefault: true })
    .description('list the manifests, by type or status')
    .option('--type <type>', 'only this type')
    .option('--status <status>', 'only this status')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string | undefined, opts: Common & { type?: string; status?: string }) => {
      const { listManifestsCommand } = await import('../manifests/manifests.ts');
      await listManifestsCommand(io, stack, opts);
    });

  manifests
    .command('show <stack> <manifest>')
    .description('one manifest and its content (secrets redacted unless --show-secrets)')
    .option('--version <v>', 'a recorded version (v1, v2 …) instead of the current one')
    .option('--show-secrets', 'print secret values (recorded in the audit log)')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, ref: string, opts: Common & { version?: string; showSecrets?: boolean }) => {
      const { showManifest } = await import('../manifests/manifests.ts');
      await showManifest(io, stack, ref, opts);
    });

  manifests
    .command('history <stack> <manifest>')
    .description('the versions kept for one manifest')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, ref: string, opts: Common) => {
      const { manifestHistory } = await import('../manifests/manifests.ts');
      await manifestHistory(io, stack, ref, opts);
    });

  manifests
    .command('diff <stack> <manifest>')
    .description('a unified diff between two recorded versions (default: the current one and the one before), or with --live the current version against the cluster')
    .option('--from <v>', 'the older version')
    .option('--to <v>', 'the newer version (default: current)')
    .option('--live', 'compare with the objects live in the cluster, read over SSH on the API node with its kubectl; exit 1 when they differ (the status becomes out_of_sync), 2 when they cannot be read')
    .option('--show-secrets', 'do not redact secret values (a Secret\'s data is never shown by --live)')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, ref: string, opts: Common & { from?: string; to?: string; live?: boolean; showSecrets?: boolean }) => {
      const { diffManifest } = await import('../manifests/manifests.ts');
      await diffManifest(io, stack, ref, opts);
    });
}
