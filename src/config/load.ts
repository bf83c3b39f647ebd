// Text → validated ClusterConfig: read, evaluate and decode (decode.ts), derived defaults
// (derive.ts), schema checks (check-schema.ts) and cross-key rules (rules.ts). Every problem
// of the file is reported at once, in a ConfigError.
import { dirname, resolve } from 'node:path';
import { Interpreter, limitsOf, LispError, read, readSourceFile } from '../lisp/index.ts';
import type { Node } from '../lisp/index.ts';
import { checkSchema } from './check-schema.ts';
import { ConfigError, Diagnostics, type Diagnostic } from './diagnostics.ts';
import { Decoder, type ConfigEvaluator } from './decode.ts';
import { applyDerivedDefaults } from './derive.ts';
import { checkRules } from './rules.ts';
import type { ClusterConfig } from './schema.ts';
import { clusterSchema } from './schema.ts';
import type { SourceMap } from './source-map.ts';

export interface LoadOptions {
  /** Environment the configuration's `(env …)` calls see (the CLI passes `io.env`). */
  env: Record<string, string | undefined>;
  /** Directory relative paths resolve against (default: the process's working directory). */
  cwd?: string;
  /** Refuse environment, file and system look-ups except the allow-listed built-ins. */
  restricted?: { allow: string[] };
  /** Show evaluation details of secret values in errors. */
  showSecrets?: boolean;
  /** Run the semantic rules (default true). Without them only syntax, keys and types are checked. */
  validate?: boolean;
}

export interface LoadedConfig {
  config: ClusterConfig;
  /** The source text as read. */
  text: string;
  file: string;
  /** Where each config path was written. */
  positions: SourceMap;
  /** Problems that do not stop the configuration from being used. */
  warnings: Diagnostic[];
}

export function loadConfigText(text: string, file: string, options: LoadOptions): LoadedConfig {
  const sources = new Map([[file, text]]);
  const diags = new Diagnostics();
  let nodes: Node[];
  try {
    nodes = read(text, file, { limits: limitsOf(options) });
  } catch (err) {
    if (!(err instanceof LispError)) throw err;
    diags.error(err.reason, { pos: err.pos, hint: err.hint });
    throw new ConfigError(file, diags.items, sources);
  }
  const baseDir = file === '-' || file.startsWith('<') ? resolve(options.cwd ?? '.') : dirname(resolve(options.cwd ?? '.', file));
  const interp = new Interpreter({
    env: options.env,
    baseDir,
    cwd: options.cwd,
    restricted: options.restricted,
  });
  const decoder = new Decoder(interp as ConfigEvaluator, diags, { showSecrets: options.showSecrets });
  const raw = decoder.decodeProgram(nodes, clusterSchema, file);
  if (!raw || diags.errorCount > 0) throw new ConfigError(file, diags.items, sources);
  const config = applyDerivedDefaults(raw as unknown as ClusterConfig);
  if (options.validate !== false) {
    checkSchema(clusterSchema.fields, config as unknown as Record<string, unknown>, decoder.positions, diags);
    checkRules(config, decoder.positions, diags);
    checkWarnings(config, decoder.positions, diags);
  }
  if (diags.errorCount > 0) throw new ConfigError(file, diags.items, sources);
  return { config, text, file, positions: decoder.positions, warnings: diags.items.filter((d) => d.severity === 'warning') };
}

export async function loadConfigFile(path: string, options: LoadOptions): Promise<LoadedConfig> {
  const full = resolve(options.cwd ?? '.', path);
  let text: string;
  try {
    text = await readSourceFile(full, path, limitsOf(options));
  } catch (err) {
    if (err instanceof LispError) throw new ConfigError(path, [{ severity: 'error', message: err.reason, hint: err.hint }], new Map());
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new ConfigError(path, [{ severity: 'error', message: `cannot read the configuration file ${path}: ${why}` }], new Map());
  }
  return loadConfigText(text, path, { ...options, cwd: options.cwd });
}

function checkWarnings(config: ClusterConfig, positions: SourceMap, diags: Diagnostics): void {
  const bastion = config.security.bastion;
  if (bastion?.enabled && bastion.allowedCidrs.length === 0) {
    diags.warning('the bastion admits SSH from nobody: security.bastion.allowed-cidrs is empty', {
      path: 'security.bastion.allowed-cidrs',
      pos: positions.locate('security.bastion', 'form'),
      hint: 'add (allowed-cidrs "203.0.113.7/32") with the address you connect from',
    });
  }
}
