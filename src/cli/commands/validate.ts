// `validate`: read, evaluate and check a cluster configuration without touching any cloud.
import { Option, type Command } from 'commander';
import { restrictionOptions } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

interface ValidateOptions {
  config: string;
  format: 'text' | 'json' | 'lisp';
  json?: boolean;
  showSecrets?: boolean;
  restricted?: boolean;
  allow: string[];
}


export function register(program: Command, io: CliIO): void {
  const command = program
    .command('validate')
    .description('check a cluster configuration: syntax, keys, types and the rules between them')
    .option('-c, --config <file>', 'configuration file ("-" reads standard input)', 'cluster.lisp')
    .addOption(
      new Option('-f, --format <format>', 'text: a summary; json: the normalized config; lisp: it as canonical Lisp')
        .choices(['text', 'json', 'lisp'])
        .default('text'),
    )
    .addOption(jsonFlag('print the normalized config as JSON (same as --format json)').conflicts('format'))
    .option('--show-secrets', 'show credentials in the json/lisp output and evaluation errors of secret values');
  restrictionOptions(command)
    .addHelpText(
      'after',
      `\nExit status: 0 when the configuration is valid, 1 otherwise (every error is listed as FILE:LINE:COL).\n\nExamples:\n  ${io.programName} validate -c cluster.lisp\n  ${io.programName} validate -c cluster.lisp --json\n  ${io.programName} validate -c cluster.lisp --format lisp\n  ${io.programName} validate -c cluster.lisp --restricted --allow env:CLUSTER_ENV\n`,
    )
    .action(async (opts: ValidateOptions) => {
      await runValidate(opts, io);
    });
}

async function runValidate(opts: ValidateOptions, io: CliIO): Promise<void> {
  const { loadConfigFile, loadConfigText, formatDiagnostic, printConfig, redact, toJSON, summarize } = await import(
    '../../config/index.ts'
  );
  const { limitsOf } = await import('../../lisp/index.ts');
  const restricted = opts.restricted || opts.allow.length > 0 ? { allow: opts.allow } : undefined;
  const loadOptions = { env: io.env, cwd: io.cwd, restricted, showSecrets: opts.showSecrets };
  const loaded =
    opts.config === '-'
      ? loadConfigText(await (await import('../prompt.ts')).readStdin(io, limitsOf({ restricted }).maxSourceBytes), '<stdin>', loadOptions)
      : await loadConfigFile(opts.config, loadOptions);
  const sources = new Map([[loaded.file, loaded.text]]);
  for (const w of loaded.warnings) io.stderr.write(`${formatDiagnostic(w, sources)}\n`);

  if (opts.json || opts.format === 'json') {
    io.stdout.write(toJSON(loaded.config, { showSecrets: opts.showSecrets }));
    return;
  }
  if (opts.format === 'lisp') {
    io.stdout.write(printConfig(opts.showSecrets ? loaded.config : redact(loaded.config)));
    return;
  }
  const s = summarize(loaded.config);
  const lines: string[] = [`${loaded.file}: valid`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(12)}${text}`);
  row('cluster', `${s.name} (${s.environment})`);
  row('providers', s.providers.map((p) => (p.region ? `${p.name} (${p.region})` : p.name)).join(', '));
  const width = (pick: (p: (typeof s.pools)[number]) => string) => Math.max(0, ...s.pools.map((p) => pick(p).length));
  const nameW = width((p) => p.name);
  const sizeW = width((p) => p.size);
  const rolesW = width((p) => p.roles.join(', ')) + 2;
  s.pools.forEach((p, i) => {
    const where = p.provider ? `  ${p.provider}/${p.region ?? '?'}` : '';
    const roles = `[${p.roles.join(', ')}]`.padEnd(rolesW);
    const text = `${p.name.padEnd(nameW)}  ${String(p.count).padStart(3)} × ${p.size.padEnd(sizeW)}  ${roles}${where}`;
    row(i === 0 ? 'node pools' : '', `${text}${p.kind === 'node' ? '  (single node)' : ''}`.trimEnd());
  });
  const n = s.nodes;
  row('nodes', `${n.total} (${n.controlPlane} master, ${n.etcd} etcd, ${n.worker} worker)${s.bastion ? ' + bastion' : ''}`);
  row('kubernetes', `${s.distribution} ${s.version}, ${s.networkPlugin}${s.highAvailability ? ', high availability' : ''}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
