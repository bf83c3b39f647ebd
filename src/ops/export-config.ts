// Export-config: the configuration a stack was last deployed with, recovered from the stack —
// the Lisp text as deployed (or regenerated from the stored config), the normalized JSON, or
// the deployment metadata. Audited: an export with secrets in plaintext is a warning event.
import { resolve } from 'node:path';
import { printConfig, redact } from '../config/index.ts';
import type { ClusterConfig } from '../config/index.ts';
import { storedConfig } from '../history/index.ts';
import type { StoredConfig } from '../history/index.ts';
import { redactedConfig, storedConfigSecrets } from '../redact/index.ts';
import { OpsError } from './errors.ts';
import { writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { auditSession, withAuditedStack } from './stack.ts';

export const EXPORT_FORMATS = ['lisp', 'json', 'meta'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportConfigInput {
  stack?: string;
  format: ExportFormat;
  /** Lisp printed from the stored configuration instead of the text as deployed. */
  regenerate?: boolean;
  /** Secret values in the JSON; Lisp text that holds secrets is refused without it. */
  showSecrets?: boolean;
  /** Write to this file (created 0600) instead of returning the text to print. */
  output?: string;
}

export interface ExportedConfig {
  stack: string;
  /** The text (also when it was written to `output`). */
  text: string;
  /** The file written, or undefined when the text is for the caller to show. */
  path?: string;
  /** Whether secret values are in the text. */
  secretsShown: boolean;
}

export async function exportConfig(ctx: OpsContext, input: ExportConfigInput): Promise<ExportedConfig> {
  const { format } = input;
  if (input.regenerate && format !== 'lisp') throw new OpsError('invalid', '--regenerate applies to --format lisp only');
  const audit = auditSession(ctx, 'export-config', { type: 'configuration', action: 'export', resourceId: input.stack ?? '', resourceType: 'stack', description: `export-config --format ${format}` });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const stored = storedConfig(stack);
    let text: string;
    let secretsShown = false;
    if (format === 'meta') {
      if (!stored.meta) throw new OpsError('invalid', `stack '${stack.name}' has no deployment metadata yet`, `Deploy it first: sloth-kubernetes deploy ${stack.name} --config cluster.lisp`);
      text = `${JSON.stringify(stored.meta.meta, null, 2)}\n`;
    } else if (format === 'json') {
      if (!stored.configJson) throw noConfig(stack.name);
      const parsed = JSON.parse(stored.configJson) as unknown;
      secretsShown = Boolean(input.showSecrets);
      text = `${JSON.stringify(input.showSecrets ? parsed : stored.ours ? redact(parsed as ClusterConfig) : redactedConfig(parsed), null, 2)}\n`;
    } else if (!input.regenerate && stored.lisp !== undefined) {
      text = stored.lisp;
      secretsShown = guardSecrets(stack.name, text, stored, input, 'the deployed Lisp text');
    } else {
      if (!stored.configJson) throw noConfig(stack.name);
      if (!stored.ours) {
        throw new OpsError(
          'invalid',
          `stack '${stack.name}' keeps its configuration in the format of an earlier sloth-kubernetes, which cannot be printed as Lisp`,
          stored.lisp !== undefined ? `The original Lisp text is stored: sloth-kubernetes export-config ${stack.name} --format lisp` : `Export the JSON instead: sloth-kubernetes export-config ${stack.name} --format json`,
        );
      }
      text = printConfig(JSON.parse(stored.configJson) as ClusterConfig);
      secretsShown = guardSecrets(stack.name, text, stored, input, 'the regenerated Lisp');
    }
    const path = input.output === undefined ? undefined : resolve(ctx.cwd, input.output);
    if (path) await writePrivate(path, text);
    audit.summary.description = `Configuration of stack '${stack.name}' exported as ${format}${input.regenerate ? ' (regenerated)' : ''} to ${path ?? 'standard output'}${secretsShown ? ' with secrets in plaintext' : ''}`;
    audit.summary.metadata = { format, regenerate: String(Boolean(input.regenerate)), secretsShown: String(secretsShown) };
    if (secretsShown) audit.summary.severity = 'warning';
    return { stack: stack.name, text, ...(path ? { path } : {}), secretsShown };
  });
}

function noConfig(stack: string): OpsError {
  return new OpsError('invalid', `stack '${stack}' holds no configuration (it was never deployed with sloth-kubernetes)`, `Deploy it first: sloth-kubernetes deploy ${stack} --config cluster.lisp`);
}

/**
 * Lisp carries its secrets as written: a text that holds any of the configuration's secret
 * values is given out only with showSecrets. Returns whether secrets are in the output.
 */
function guardSecrets(stack: string, text: string, stored: StoredConfig, input: ExportConfigInput, what: string): boolean {
  if (!stored.configJson) return false;
  const parsed = JSON.parse(stored.configJson) as unknown;
  const present = storedConfigSecrets(parsed, stored.ours).filter((v) => text.includes(v));
  if (present.length === 0) return false;
  if (!input.showSecrets) {
    throw new OpsError(
      'refused',
      `${what} of stack '${stack}' holds ${present.length} secret value${present.length === 1 ? '' : 's'} (tokens, keys or passwords written in the file)`,
      `Print it anyway with --show-secrets (and --output FILE, written with mode 0600), or export the redacted JSON: --format json.`,
    );
  }
  return true;
}
