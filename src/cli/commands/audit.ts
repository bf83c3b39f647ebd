// `audit`: the stack's tamper-evident audit log — query, summary, export/import, prune, verify.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { ListFlags } from '../audit/commands.ts';
import type { CliIO } from '../io.ts';
import { jsonFlag, outputFileFlag } from '../output.ts';

type Filters = ListFlags;

function filters(cmd: Command): Command {
  return cmd
    .option('--type <type>', 'only this event type: deployment, configuration, manifest, rollback, state, error (repeatable)', collect)
    .option('--action <action>', 'only this action: create, update, delete, apply, rollback, validate, migrate, read, export, import, prune, unlock, refresh (repeatable)', collect)
    .option('--resource <id>', 'only events about this resource')
    .option('--correlation <id>', 'only the events of one command run')
    .option('--since <when>', 'from this date/time, or this long ago (30d, 12h)')
    .option('--until <when>', 'up to this date/time, or this long ago')
    .option('--failed', 'only failures')
    .option('--actor <actor>', 'only events by this actor (under `audit`, --actor filters; the acting user is $SLOTH_ACTOR or user@host)')
    .option('--password-stdin', 'read the passphrase from standard input');
}

/**
 * Under `audit`, --actor is the filter of the spec (`audit <stack> --actor alice`). The root
 * program's --actor takes the value wherever it is written; the filters declare it too, so
 * their help lists it, and the value is read from either.
 */
function withActor<T extends Filters>(opts: T, cmd: Command): T {
  const actor = cmd.optsWithGlobals<{ actor?: string }>().actor;
  return actor !== undefined ? { ...opts, actor } : opts;
}

export function register(program: Command, io: CliIO): void {
  const audit = program
    .command('audit')
    .description('the audit log of a stack: every command that changed anything or read secrets, hash-chained and encrypted')
    .addHelpText('after', '\nThe actor is --actor, else $SLOTH_ACTOR, else user@host.');

  filters(audit.command('list [stack]', { isDefault: true }).description('list events, oldest first'))
    .option('--limit <n>', 'only the newest N matching events', parseParallel)
    .addOption(jsonFlag())
    .action(async (stack: string | undefined, opts: Filters, cmd: Command) => {
      const { listEvents } = await import('../audit/commands.ts');
      await listEvents(io, stack, withActor(opts, cmd));
    });

  filters(audit.command('summary [stack]').description('counts by type, action and severity, successes and failures, first and last, average duration, top actors and resources'))
    .addOption(jsonFlag())
    .action(async (stack: string | undefined, opts: Filters, cmd: Command) => {
      const { auditSummary } = await import('../audit/commands.ts');
      await auditSummary(io, stack, withActor(opts, cmd));
    });

  filters(audit.command('export [stack]').description('write the (matching) events as JSON, for archiving or `audit import`'))
    .addOption(outputFileFlag())
    .action(async (stack: string | undefined, opts: Filters & { output?: string }, cmd: Command) => {
      const { exportEvents } = await import('../audit/commands.ts');
      await exportEvents(io, stack, withActor(opts, cmd));
    });

  audit
    .command('import <stack> <file>')
    .description('append the events of an audit export that the log does not hold yet (by event id)')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, file: string, opts: { passwordStdin?: boolean }) => {
      const { importEvents } = await import('../audit/commands.ts');
      await importEvents(io, stack, file, opts);
    });

  audit
    .command('prune <stack>')
    .description('delete the oldest events, recorded before a date (the prune itself is recorded and keeps the chain verifiable)')
    .requiredOption('--before <when>', 'a date/time, or this long ago (90d)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, opts: { before: string; yes?: boolean; passwordStdin?: boolean }) => {
      const { pruneEvents } = await import('../audit/commands.ts');
      await pruneEvents(io, stack, opts);
    });

  audit
    .command('verify [stack]')
    .description('check the chain: no batch edited, removed or out of order, the anchor in the checkpoint still there (exit 1 if not)')
    .addOption(jsonFlag('print the report as JSON'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string | undefined, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { verifyLog } = await import('../audit/commands.ts');
      await verifyLog(io, stack, opts);
    });
}
