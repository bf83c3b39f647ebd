// `salt login|ping|cmd|minions|keys|state apply|system disk|memory`: the cluster's Salt API,
// over the mesh (vpn join first), with the credentials and pinned certificate of the stack.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';
import type { SaltFlags } from '../salt/render.ts';

const common = (c: Command, target = false): Command => {
  c.option('-s, --stack <name>', 'the stack (default: the only one)').addOption(jsonFlag('print what Salt answered as JSON')).option('--password-stdin', 'read the passphrase from standard input');
  if (target) c.option('--tgt <target>', 'which minions: a glob (default *), a comma-separated list, or grain:value').option('-t, --target-type <type>', 'glob, list or grain', 'glob');
  return c;
};

export function register(program: Command, io: CliIO): void {
  const salt = program.command('salt').description("the cluster's Salt master, through its API on the mesh (join it first: vpn join)");
  const load = () => import('../salt/render.ts');
  common(salt.command('login').description('authenticate with the Salt API using the stack\'s credentials; shows the user, its permissions and when the token expires')).action(async (o: SaltFlags) => (await load()).login(io, o));
  common(salt.command('ping [target]').description('test.ping every minion (or the target); answers and round trip'), true).action(async (target: string | undefined, o: SaltFlags) => (await load()).run(io, { ...o, tgt: target ?? o.tgt }, 'test.ping', [], undefined));
  common(salt.command('cmd <target> <function> [args...]').description('run an execution function on the target, e.g. salt cmd "*" cmd.run "uptime" (audited)'), false)
    .option('-t, --target-type <type>', 'glob, list or grain', 'glob')
    .action(async (target: string, fun: string, args: string[], o: SaltFlags) => (await load()).run(io, { ...o, tgt: target }, fun, args, 'salt cmd'));
  common(salt.command('minions').description('the minion keys the master holds, and which accepted minions answer')).action(async (o: SaltFlags) => (await load()).minions(io, o));
  common(salt.command('keys <action> [minion]').description('list, accept, reject or delete minion keys (changes are audited)')).action(async (action: string, minion: string | undefined, o: SaltFlags) => (await load()).keys(io, action, minion, o));
  const state = salt.command('state').description('Salt states');
  common(state.command('apply [state]').description('apply the highstate, or one state, on the target (audited)'), true).action(async (name: string | undefined, o: SaltFlags) => (await load()).run(io, o, 'state.apply', name ? [name] : [], 'salt state apply'));
  common(salt.command('system <what>').description('disk (disk.usage) or memory (status.meminfo) on every minion, as a table'), true).action(async (what: string, o: SaltFlags) => (await load()).system(io, what, o));
}
