import type { Command } from 'commander';
import { collect } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

// Flags and help only; each action imports its implementation from ../jobs/.
function serverOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'the jobs server (default: $SLOTH_SERVER)')
    .option('--token <token>', 'an API token (default: $SLOTH_SERVER_TOKEN; prefer --token-file)')
    .option('--token-file <file>', 'read the API token from this file')
    .addOption(jsonFlag());
}

const whole = (v: string) => {
  if (!/^\d+$/.test(v)) throw new Error(`'${v}' is not a whole number`);
  return Number(v);
};

export function register(program: Command, io: CliIO): void {
  const jobs = program
    .command('jobs')
    .description('stack jobs on a sloth-kubernetes server: create, list, show, logs, approve, reject, cancel, retry')
    .addHelpText('after', '\nThe server runs them (sloth-kubernetes server); see docs/jobs.md.');

  serverOptions(jobs.command('create <operation> <stack>'))
    .description('create a job (preview, deploy, refresh, destroy or rollback) after the server\'s pre-flight checks')
    .option('-c, --config <file>', 'the cluster config to send (preview, deploy)')
    .option('--git-url <url>', 'or: the git repository holding the config')
    .option('--git-ref <ref>', 'with --git-url: branch, tag or commit')
    .option('--git-path <path>', 'with --git-url: the config file in the repository')
    .option('-m, --message <text>', 'a message recorded with the job and the update')
    .option('--credential <name>', 'a stored credential to use (repeatable; default: the stack\'s)', collect)
    .option('--no-bootstrap', 'machines, networks and DNS only, without installing Kubernetes')
    .option('--operator-cidr <cidr>', 'address(es) allowed to reach SSH and the API (repeatable)', collect)
    .option('--to <deployment>', 'rollback: the deployment or snapshot to go back to')
    .option('-f, --follow', 'then stream the job\'s log until it ends (exit 1 unless it succeeded)')
    .action(async (operation: string, stack: string, opts) => {
      const { createJob } = await import('../jobs/jobs.ts');
      await createJob(io, operation, stack, opts);
    });

  serverOptions(jobs.command('list'))
    .alias('ls')
    .description('list jobs, newest first')
    .option('--stack <name>', 'only this stack')
    .option('--status <status>', 'only jobs in this state (queued, running, awaiting_approval, succeeded, failed, cancelled, rejected)')
    .option('--operation <op>', 'only this operation')
    .option('--limit <n>', 'at most this many (default 50)', whole)
    .action(async (opts) => {
      const { listJobs } = await import('../jobs/jobs.ts');
      await listJobs(io, opts);
    });

  serverOptions(jobs.command('show <id>'))
    .description('a job: status, steps, policy and where it came from, plan, outputs, transitions')
    .action(async (id: string, opts) => {
      const { showJob } = await import('../jobs/jobs.ts');
      await showJob(io, id, opts);
    });

  serverOptions(jobs.command('logs <id>'))
    .description('the job\'s log; --follow streams it live until the job ends, resuming after a dropped connection')
    .option('-f, --follow', 'stream until the job ends (exit 1 unless it succeeded)')
    .option('--after <seq>', 'only entries after this sequence number', whole)
    .action(async (id: string, opts) => {
      const { jobLogs } = await import('../jobs/jobs.ts');
      await jobLogs(io, id, opts);
    });

  for (const [verb, description] of [
    ['approve', 'approve the plan of a job awaiting approval (approver role)'],
    ['reject', 'reject the plan of a job awaiting approval; nothing is changed (approver role)'],
  ] as const) {
    serverOptions(jobs.command(`${verb} <id>`))
      .description(description)
      .option('--comment <text>', 'why, recorded with the decision and in the audit log')
      .action(async (id: string, opts) => {
        const { actOnJob } = await import('../jobs/jobs.ts');
        await actOnJob(io, verb, id, opts);
      });
  }
  serverOptions(jobs.command('cancel <id>'))
    .description('cancel a job: a queued one at once; a running one stops starting steps, then aborts them after the grace period')
    .action(async (id: string, opts) => {
      const { actOnJob } = await import('../jobs/jobs.ts');
      await actOnJob(io, 'cancel', id, opts);
    });
  serverOptions(jobs.command('retry <id>'))
    .description('create a new job with the same request (the same config text or commit)')
    .action(async (id: string, opts) => {
      const { actOnJob } = await import('../jobs/jobs.ts');
      await actOnJob(io, 'retry', id, opts);
    });
}
