// Rendering of the Salt use cases.
import type { CliIO } from '../io.ts';
import { withCli } from '../host.ts';
import { json, table } from '../stacks/render.ts';
import { CliError } from '../errors.ts';
import type { KeyAction, MinionResults, TargetType } from '../../ops/salt.ts';

export interface SaltFlags {
  stack?: string;
  json?: boolean;
  passwordStdin?: boolean;
  tgt?: string;
  targetType?: string;
}

function target(flags: SaltFlags): { target: string; targetType: TargetType } {
  const type = flags.targetType ?? 'glob';
  if (type !== 'glob' && type !== 'list' && type !== 'grain') throw new CliError(`unknown target type '${type}'`, { hint: 'Use glob, list or grain.' });
  return { target: flags.tgt ?? '*', targetType: type };
}

export async function login(io: CliIO, flags: SaltFlags): Promise<void> {
  const { saltLogin } = await import('../../ops/salt.ts');
  const r = await withCli(io, flags, (ctx) => saltLogin(ctx, { stack: flags.stack }));
  if (flags.json) io.stdout.write(json(r));
  else io.stdout.write(`Logged in to the Salt API of stack '${r.stack}' at ${r.apiUrl} (master ${r.master}) as ${r.user} (eauth ${r.eauth}); the token expires ${r.expires}.\nPermissions: ${r.perms.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(', ')}\n`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

function printResults(io: CliIO, r: MinionResults, flags: SaltFlags): void {
  if (flags.json) {
    io.stdout.write(json(r));
    return;
  }
  for (const [minion, value] of Object.entries(r.results).sort(([a], [b]) => a.localeCompare(b))) {
    const text = show(value);
    io.stdout.write(text.includes('\n') ? `${minion}:\n${text.replace(/^/gm, '    ')}\n` : `${minion}: ${text}\n`);
  }
  for (const m of r.silent) io.stdout.write(`${m}: no answer\n`);
  io.stderr.write(`${Object.keys(r.results).length} minion(s) answered in ${r.durationMs} ms.\n`);
}

export async function run(io: CliIO, flags: SaltFlags, fun: string, args: string[], audit: string | undefined): Promise<void> {
  const { saltRun } = await import('../../ops/salt.ts');
  const r = await withCli(io, flags, (ctx) => saltRun(ctx, { stack: flags.stack, target: target(flags), fun, args, audit }));
  printResults(io, r, flags);
  if (r.silent.length > 0) throw new CliError(`${r.silent.length} targeted minion(s) did not answer: ${r.silent.join(', ')}`, { hint: 'Check them with: sloth-kubernetes salt minions' });
  if (r.failed.length > 0) throw new CliError(`${fun} failed on ${r.failed.length} minion(s): ${r.failed.join(', ')} (a non-zero retcode)`, { hint: 'Their answers above say what failed.' });
}

export async function minions(io: CliIO, flags: SaltFlags): Promise<void> {
  const { saltMinions } = await import('../../ops/salt.ts');
  const r = await withCli(io, flags, (ctx) => saltMinions(ctx, { stack: flags.stack }));
  if (flags.json) io.stdout.write(json(r));
  else io.stdout.write(table([['MINION', 'KEY', 'RESPONDING'], ...r.minions.map((m) => [m.id, m.key, m.key === 'accepted' ? (m.responding ? 'yes' : 'no') : '-'])]));
}

export async function keys(io: CliIO, action: string, minion: string | undefined, flags: SaltFlags): Promise<void> {
  if (!['list', 'accept', 'reject', 'delete'].includes(action)) throw new CliError(`unknown keys action '${action}'`, { hint: 'Use list, accept, reject or delete.' });
  const { saltKeys } = await import('../../ops/salt.ts');
  const r = await withCli(io, flags, (ctx) => saltKeys(ctx, { stack: flags.stack, action: action as KeyAction, minion }));
  if (flags.json) {
    io.stdout.write(json(r));
    return;
  }
  if (r.changed) io.stdout.write(`${r.changed}: key ${action === 'accept' ? 'accepted' : action === 'reject' ? 'rejected' : 'deleted'}.\n`);
  const rows = [['MINION', 'KEY']];
  for (const [kind, label] of [['minions', 'accepted'], ['minions_pre', 'pending'], ['minions_rejected', 'rejected'], ['minions_denied', 'denied']] as const) for (const id of r.keys[kind]) rows.push([id, label]);
  io.stdout.write(table(rows));
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v ?? '').replace(/[^0-9.]/g, '')) || 0);
const kib = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} GiB` : `${(n / 1024).toFixed(0)} MiB`);

export async function system(io: CliIO, what: string, flags: SaltFlags): Promise<void> {
  const fun = what === 'disk' ? 'disk.usage' : what === 'memory' ? 'status.meminfo' : undefined;
  if (!fun) throw new CliError(`unknown system report '${what}'`, { hint: 'Use disk or memory.' });
  const { saltRun } = await import('../../ops/salt.ts');
  const r = await withCli(io, flags, (ctx) => saltRun(ctx, { stack: flags.stack, target: target(flags), fun }));
  if (flags.json) {
    io.stdout.write(json(r));
    return;
  }
  const minions = Object.entries(r.results).sort(([a], [b]) => a.localeCompare(b));
  if (what === 'disk') {
    const rows = [['MINION', 'MOUNT', 'FILESYSTEM', 'SIZE', 'USED', 'USE%']];
    for (const [m, v] of minions) {
      for (const [mount, d] of Object.entries((v ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!d || typeof d !== 'object' || num(d['1K-blocks']) === 0) continue;
        rows.push([m, mount, String(d['filesystem'] ?? ''), kib(num(d['1K-blocks'])), kib(num(d['used'])), String(d['capacity'] ?? '')]);
      }
    }
    io.stdout.write(table(rows));
  } else {
    const rows = [['MINION', 'TOTAL', 'AVAILABLE', 'FREE', 'SWAP FREE']];
    const field = (v: unknown, k: string) => num(((v as Record<string, { value?: unknown }>)?.[k])?.value);
    for (const [m, v] of minions) rows.push([m, kib(field(v, 'MemTotal')), kib(field(v, 'MemAvailable')), kib(field(v, 'MemFree')), kib(field(v, 'SwapFree'))]);
    io.stdout.write(table(rows));
  }
  for (const m of r.silent) io.stdout.write(`${m}: no answer\n`);
}
