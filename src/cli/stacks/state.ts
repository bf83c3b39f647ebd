// stacks state list|delete|unprotect|repair <name> …
import { planDelete, planRepair, planUnprotect } from '../../state/index.ts';
import type { EditPlan } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { resolveStackName } from '../../ops/stack.ts';
import { json, table } from './render.ts';
import { attachStack, stacksCommand } from '../audit/stacks.ts';
import type { EventAction } from '../../audit/index.ts';

export async function stateList(io: CliIO, name: string, opts: { json?: boolean }): Promise<void> {
  const store = await openStore(io);
  try {
    const info = await store.inspectStack(await resolveStackName(store, name));
    const rows = info.resources.map((r) => {
      const flags = ['protect', 'delete', 'pendingReplacement', 'external', 'retainOnDelete'].filter((f) => r[f] === true);
      return { urn: String(r.urn), type: String(r.type), id: typeof r.id === 'string' ? r.id : '', flags, parent: typeof r.parent === 'string' ? r.parent : null };
    });
    if (opts.json) {
      io.stdout.write(json(rows));
      return;
    }
    if (rows.length === 0) {
      io.stdout.write(`Stack '${info.name}' has no resources.\n`);
      return;
    }
    io.stdout.write(table([['URN', 'TYPE', 'ID', 'FLAGS'], ...rows.map((r) => [r.urn, r.type, r.id || '-', r.flags.join(',') || '-'])]));
  } finally {
    store.close();
  }
}

async function edit(
  io: CliIO,
  name: string,
  opts: { passwordStdin?: boolean; dryRun?: boolean },
  message: string,
  plan: Parameters<import('../../state/index.ts').StateStore['editStack']>[2],
  action: EventAction = 'update',
): Promise<EditPlan> {
  const store = await openStore(io);
  try {
    const stack = await resolveStackName(store, name);
    const passphrase = passphraseSource(io, store, opts);
    // A dry run changes nothing and reads no secret it shows: not on record.
    if (opts.dryRun) return await store.editStack(stack, { passphrase, dryRun: true, message }, plan);
    return await stacksCommand(io, `state ${message.split(' ')[1] ?? 'edit'}`, { type: 'state', action, resourceId: stack, resourceType: 'stack', description: `${message} on stack '${stack}'` }, async (audit) => {
      audit.attach(store.attachments(stack));
      const result = await store.editStack(stack, { passphrase, message }, plan);
      await attachStack(audit, store, stack, passphrase);
      audit.summary.description = `${message} on stack '${stack}': ${result.changes.length === 0 ? 'nothing changed' : result.changes.join('; ')}`;
      audit.summary.newValue = { changes: result.changes, unfixable: result.unfixable };
      return result;
    });
  } finally {
    store.close();
  }
}

function report(io: CliIO, plan: EditPlan, dryRun: boolean): void {
  for (const c of plan.changes) io.stdout.write(`${dryRun ? 'would ' : ''}${c}\n`);
  for (const u of plan.unfixable) io.stderr.write(`cannot fix: ${u}\n`);
}

export async function stateDelete(io: CliIO, name: string, urn: string, opts: { force?: boolean; passwordStdin?: boolean }): Promise<void> {
  const plan = await edit(io, name, opts, `state delete ${urn}`, (d) => planDelete(d, urn, Boolean(opts.force)), 'delete');
  report(io, plan, false);
  io.stdout.write(`✓ Removed ${urn} from the state of '${name}' (the cloud resource, if any, was not touched)\n`);
}

export async function stateUnprotect(io: CliIO, name: string, urn: string | undefined, opts: { all?: boolean; passwordStdin?: boolean }): Promise<void> {
  if (!urn && !opts.all) throw new CliError('name a resource URN to unprotect, or pass --all');
  if (urn && opts.all) throw new CliError('give either a URN or --all, not both');
  const plan = await edit(io, name, opts, opts.all ? 'state unprotect --all' : `state unprotect ${urn}`, (d) => planUnprotect(d, urn));
  if (plan.changes.length === 0) io.stdout.write('Nothing was protected; nothing changed.\n');
  else report(io, plan, false);
}

export async function stateRepair(io: CliIO, name: string, opts: { dryRun?: boolean; passwordStdin?: boolean; json?: boolean }): Promise<void> {
  const plan = await edit(io, name, opts, 'state repair', (d) => planRepair(d));
  if (opts.json) io.stdout.write(json({ dryRun: Boolean(opts.dryRun), changes: plan.changes, unfixable: plan.unfixable }));
  else if (plan.changes.length === 0 && plan.unfixable.length === 0) io.stdout.write(`Stack '${name}' passes the integrity rules; nothing to repair.\n`);
  else {
    report(io, plan, Boolean(opts.dryRun));
    if (!opts.dryRun && plan.changes.length > 0) io.stdout.write(`✓ Repaired stack '${name}'\n`);
  }
  if (plan.unfixable.length > 0) throw new CliError(`${plan.unfixable.length} problem(s) cannot be fixed automatically`, { display: '' });
}
