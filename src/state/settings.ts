// ~/.sloth-kubernetes/config: KEY=VALUE lines that act as defaults for the environment
// (the environment always wins). We read what users put there, but `login` only ever
// writes PULUMI_BACKEND_URL: never a passphrase or a credential.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendConfigError } from './errors.ts';

export const SETTINGS_KEYS = [
  'PULUMI_BACKEND_URL',
  'PULUMI_CONFIG_PASSPHRASE',
  'PULUMI_CONFIG_PASSPHRASE_FILE',
  // Older sloth-kubernetes `login` wrote these; they still work as environment defaults.
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
];

export type Env = Record<string, string | undefined>;

export function settingsPath(homedir: string): string {
  return join(homedir, '.sloth-kubernetes', 'config');
}

interface Line {
  raw: string;
  key?: string;
}

function parseLines(text: string, path: string): { lines: Line[]; values: Record<string, string> } {
  const lines: Line[] = [];
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return lines.push({ raw });
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(t);
    // The line itself is not echoed: a mistyped line may hold a passphrase.
    if (!m) throw new BackendConfigError(`${path}:${i + 1}: expected KEY=VALUE`);
    const key = m[1]!;
    if (!SETTINGS_KEYS.includes(key)) {
      throw new BackendConfigError(`${path}:${i + 1}: unknown setting '${key}'`, { hint: `Known settings: ${SETTINGS_KEYS.join(', ')}.` });
    }
    let value = m[2]!.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) value = value.slice(1, -1);
    values[key] = value;
    lines.push({ raw, key });
  });
  return { lines, values };
}

export async function readSettings(homedir: string): Promise<Record<string, string>> {
  const path = settingsPath(homedir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BackendConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseLines(text, path).values;
}

/** The environment with the settings file filled in underneath (set variables win, even if empty). */
export async function effectiveEnv(env: Env, homedir: string, settings?: Record<string, string>): Promise<Env> {
  const out: Env = { ...(settings ?? (await readSettings(homedir))) };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Sets one key in the settings file (0600, directory 0700), keeping every other line. */
export async function writeSetting(homedir: string, key: string, value: string | undefined): Promise<string> {
  const path = settingsPath(homedir);
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { lines } = parseLines(text, path);
  const kept = lines.filter((l) => l.key !== key).map((l) => l.raw);
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  if (value !== undefined) kept.push(`${key}=${value}`);
  await mkdir(join(homedir, '.sloth-kubernetes'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${kept.join('\n')}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
  return path;
}
