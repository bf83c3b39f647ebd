import type { Command } from 'commander';
import { collect } from '../flags.ts';
import type { CliIO } from '../io.ts';

// Flags and help only; the implementation is ../jobs/server.ts.
export function register(program: Command, io: CliIO): void {
  program
    .command('server')
    .description('serve stack jobs: the HTTP API (/api/v1, /openapi.json), the web UI and job runners, until Ctrl-C')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--no-listen', 'run jobs only (a runner process beside the API servers; needs a shared database)')
    .option('--data-dir <dir>', 'the server\'s data: SQLite database, key, workspaces (default ~/.sloth-kubernetes/server)')
    .option('--database <url>', 'postgres://… for several runner processes or machines (default: SQLite in the data dir)')
    .option('--key-file <file>', 'the key that seals credentials at rest (default <data-dir>/server.key, created 0600)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this private key (PEM)')
    .option('--runners <n>', 'jobs run at once by this process, on different stacks (0: API only)', '1')
    .option('--heartbeat-timeout <seconds>', 'a runner silent this long is taken for dead: its job is queued again (nothing applied) or failed, its stack lock released', '30')
    .option('--backend <url>', 'the state backend of the stacks (default: $PULUMI_BACKEND_URL)')
    .option('--pass-env <name>', 'also give every job this variable of the server\'s environment (repeatable; e.g. the backend\'s AWS keys)', collect)
    .option('--allow <entry>', 'what restricted-mode evaluation of a job\'s config may use (repeatable: env:NAME, read-file, …)', collect)
    .option('--allow-file-git', 'accept file:// git URLs (repositories on this machine)')
    .addHelpText('after', '\nOn first start an admin token is written to <data-dir>/admin.token (0600). Ctrl-C once: stop taking jobs and wait for the running ones; twice: exit now (their jobs are recovered on the next start).')
    .action(async (opts) => {
      const { runServer } = await import('../jobs/server.ts');
      await runServer(io, opts);
    });
}
