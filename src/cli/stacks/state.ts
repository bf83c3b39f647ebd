// stacks state list|delete|unprotect|repair <name> …
import { editState, stateResources } from '../../ops/stacks.ts';
import type { StateEdit } from '../../ops/stacks.ts';
import type { EditPlan } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, table } from './render.ts';

export async function stateList(io: CliIO, name: string, opts: { json?: boolean }): Promise<void> {
  const { stack, resources: rows } = await withCli(io, opts, (ctx) => stateResources(ctx, { stack: name }));
  if (opts.json) {
    io.stdout.write(json(rows));
    return;
  }
  if (rows.length === 0) {
    io.stdout.write(`Stack '${stack}' has no resources.\n`);
    return;
  }
  io.stdout.write(table([['URN', 'TYPE', 'ID', 'FLAGS'], ...rows.map((r) => [r.urn, r.type, r.id || '-', r.flags.join(',') || '-'])]));
}

function edit(io: CliIO, name: string, opts: { passwordStdin?: boolean; dryRun?: boolean }, change: StateEdit): Promise<EditPlan> {
  return withCli(io, opts, (ctx) => editState(ctx, { stack: name, edit: change, dryRun: opts.dryRun }));
}

function report(io: CliIO, plan: EditPlan, dryRun: boolean): void {
  for (const c of plan.changes) io.stdout.write(`${dryRun ? 'would ' : ''}${c}\n`);
  for (const u of plan.unfixable) io.stderr.write(`cannot fix: ${u}\n`);
}

export async function stateDelete(io: CliIO, name: string, urn: string, opts: { force?: boolean; passwordStdin?: boolean }): Promise<void> {
  const plan = await edit(io, name, opts, { kind: 'delete', urn, force: opts.force });
  report(io, plan, false);
  io.stdout.write(`✓ Removed ${urn} from the state of '${name}' (the cloud resource, if any, was not touched)\n`);
}

export async function stateUnprotect(io: CliIO, name: string, urn: string | undefined, opts: { all?: boolean; passwordStdin?: boolean }): Promise<void> {
  if (!urn && !opts.all) throw new CliError('name a resource URN to unprotect, or pass --all');
  if (urn && opts.all) throw new CliError('give either a URN or --all, not both');
  const plan = await edit(io, name, opts, { kind: 'unprotect', urn });
  if (plan.changes.length === 0) io.stdout.write('Nothing was protected; nothing changed.\n');
  else report(io, plan, false);
}

export async function stateRepair(io: CliIO, name: string, opts: { dryRun?: boolean; passwordStdin?: boolean; json?: boolean }): Promise<void> {
  const plan = await edit(io, name, opts, { kind: 'repair' });
  if (opts.json) io.stdout.write(json({ dryRun: Boolean(opts.dryRun), changes: plan.changes, unfixable: plan.unfixable }));
  else if (plan.changes.length === 0 && plan.unfixable.length === 0) io.stdout.write(`Stack '${name}' passes the integrity rules; nothing to repair.\n`);
  else {
    report(io, plan, Boolean(opts.dryRun));
    if (!opts.dryRun && plan.changes.length > 0) io.stdout.write(`✓ Repaired stack '${name}'\n`);
  }
  if (plan.unfixable.length > 0) throw new CliError(`${plan.unfixable.length} problem(s) cannot be fixed automatically`, { display: '' });
}
