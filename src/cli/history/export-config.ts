// export-config <stack> --format lisp|json|meta [--output FILE] [--regenerate] [--show-secrets]:
// the configuration the stack was last deployed with, recovered from the stack.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { printConfig, redact } from '../../config/index.ts';
import type { ClusterConfig } from '../../config/index.ts';
import { AuditSession } from '../audit/session.ts';
import { withAuditedStack } from '../audit/engine.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { redactedOf, storedConfigSecrets } from './secrets.ts';
import { storedConfig } from './stored.ts';

export interface ExportConfigFlags {
  format?: string;
  output?: string;
  regenerate?: boolean;
  showSecrets?: boolean;
  passwordStdin?: boolean;
}

const FORMATS = ['lisp', 'json', 'meta'];

async function writeOut(io: CliIO, text: string, output: string | undefined): Promise<string> {
  if (!output) {
    io.stdout.write(text);
    return 'standard output';
  }
  const path = resolve(io.cwd, output);
  // 0600 from the first byte: the text may hold credentials.
  const fh = await open(path, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return path;
}

export async function exportConfig(io: CliIO, name: string | undefined, flags: ExportConfigFlags): Promise<void> {
  const format = flags.format ?? 'lisp';
  if (!FORMATS.includes(format)) {
    throw new CliError(`unknown format '${format}'`, { hint: `Use one of: ${FORMATS.join(', ')}.${format === 'yaml' ? ' (yaml is not supported yet.)' : ''}` });
  }
  if (flags.regenerate && format !== 'lisp') throw new CliError('--regenerate applies to --format lisp only');
  const audit = new AuditSession(io, 'export-config', { type: 'configuration', action: 'export', resourceId: name ?? '', resourceType: 'stack', description: `export-config --format ${format}` });
  await withAuditedStack(io, audit, name, { passwordStdin: flags.passwordStdin }, async (_store, stack) => {
    const stored = storedConfig(stack);
    let text: string;
    let secretsShown = false;
    if (format === 'meta') {
      if (!stored.meta) throw new CliError(`stack '${stack.name}' has no deployment metadata yet`, { hint: `Deploy it first: ${io.programName} deploy ${stack.name} --config cluster.lisp` });
      text = `${JSON.stringify(stored.meta.meta, null, 2)}\n`;
    } else if (format === 'json') {
      if (!stored.configJson) throw noConfig(io, stack.name);
      const parsed = JSON.parse(stored.configJson) as unknown;
      secretsShown = Boolean(flags.showSecrets);
      text = `${JSON.stringify(flags.showSecrets ? parsed : stored.ours ? redact(parsed as ClusterConfig) : redactedOf(parsed), null, 2)}\n`;
    } else if (!flags.regenerate && stored.lisp !== undefined) {
      text = stored.lisp;
      secretsShown = guardSecrets(stack.name, text, stored, flags, 'the deployed Lisp text');
    } else {
      if (!stored.configJson) throw noConfig(io, stack.name);
      if (!stored.ours) {
        throw new CliError(`stack '${stack.name}' keeps its configuration in the format of an earlier sloth-kubernetes, which cannot be printed as Lisp`, {
          hint: stored.lisp !== undefined ? `The original Lisp text is stored: ${io.programName} export-config ${stack.name} --format lisp` : `Export the JSON instead: ${io.programName} export-config ${stack.name} --format json`,
        });
      }
      text = printConfig(JSON.parse(stored.configJson) as ClusterConfig);
      secretsShown = guardSecrets(stack.name, text, stored, flags, 'the regenerated Lisp');
    }
    const where = await writeOut(io, text, flags.output);
    if (flags.output) io.stderr.write(`Exported the ${format === 'meta' ? 'deployment metadata' : 'configuration'} of stack '${stack.name}' to ${where}${secretsShown ? ' (with secrets, mode 0600)' : ''}\n`);
    audit.summary.description = `Configuration of stack '${stack.name}' exported as ${format}${flags.regenerate ? ' (regenerated)' : ''} to ${where}${secretsShown ? ' with secrets in plaintext' : ''}`;
    audit.summary.metadata = { format, regenerate: String(Boolean(flags.regenerate)), secretsShown: String(secretsShown) };
    if (secretsShown) audit.summary.severity = 'warning';
  });
}

function noConfig(io: CliIO, stack: string): CliError {
  return new CliError(`stack '${stack}' holds no configuration (it was never deployed with sloth-kubernetes)`, { hint: `Deploy it first: ${io.programName} deploy ${stack} --config cluster.lisp` });
}

/**
 * Lisp carries its secrets as written: a text that holds any of the configuration's secret
 * values is printed only with --show-secrets. Returns whether secrets are in the output.
 */
function guardSecrets(stack: string, text: string, stored: ReturnType<typeof storedConfig>, flags: ExportConfigFlags, what: string): boolean {
  if (!stored.configJson) return false;
  const parsed = JSON.parse(stored.configJson) as unknown;
  const secrets = storedConfigSecrets(parsed, stored.ours);
  const present = secrets.filter((v) => text.includes(v));
  if (present.length === 0) return false;
  if (!flags.showSecrets) {
    throw new CliError(`${what} of stack '${stack}' holds ${present.length} secret value${present.length === 1 ? '' : 's'} (tokens, keys or passwords written in the file)`, {
      hint: `Print it anyway with --show-secrets (and --output FILE, written with mode 0600), or export the redacted JSON: --format json.`,
    });
  }
  return true;
}
