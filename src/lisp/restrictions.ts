// Restricted mode: the server and the operator evaluate configs that other people wrote, so
// reading the environment, files and facts about the machine is refused unless allow-listed.
// An allow-list entry is a built-in name (`read-file`) or one environment variable
// (`env:AWS_REGION`, which every env built-in may then read).
import { LispError } from './types.ts';
import type { Located } from './types.ts';

export const ENV_BUILTINS = ['env', 'getenv', 'env-or', 'env?'] as const;
export const FILE_BUILTINS = ['read-file', 'file-exists?', 'expand-path'] as const;
export const SYSTEM_BUILTINS = ['hostname', 'user', 'home', 'cwd'] as const;
export const GUARDED_BUILTINS: readonly string[] = [...ENV_BUILTINS, ...FILE_BUILTINS, ...SYSTEM_BUILTINS];

// `getenv` is another name for `env`: allowing one allows the other.
const CANONICAL: Record<string, string> = { getenv: 'env' };

export class Restrictions {
  /** True when restricted mode is on. */
  readonly active: boolean;
  private readonly builtins = new Set<string>();
  private readonly envVars = new Set<string>();

  constructor(allow: readonly string[] | undefined) {
    this.active = allow !== undefined;
    for (const entry of allow ?? []) {
      if (entry.startsWith('env:')) {
        const name = entry.slice(4);
        if (name === '' || name.includes('=')) {
          throw new LispError(`bad allow-list entry '${entry}': expected env:NAME with a variable name`, undefined, {
            code: 'restricted',
          });
        }
        this.envVars.add(name);
      } else if (GUARDED_BUILTINS.includes(entry)) {
        this.builtins.add(CANONICAL[entry] ?? entry);
      } else {
        throw new LispError(`unknown allow-list entry '${entry}'`, undefined, {
          code: 'restricted',
          hint: `an entry is a built-in that restricted mode refuses (${GUARDED_BUILTINS.join(', ')}) or env:NAME for one environment variable`,
        });
      }
    }
  }

  private builtinAllowed(name: string): boolean {
    return !this.active || this.builtins.has(CANONICAL[name] ?? name);
  }

  /** Whether restricted mode lets the env built-ins read `variable` at all (used for TZ too). */
  envAllowed(variable: string, via = 'env'): boolean {
    return this.builtinAllowed(via) || this.envVars.has(variable);
  }

  checkEnv(builtin: string, variable: string, at: Located): void {
    if (this.envAllowed(variable, builtin)) return;
    throw new LispError(`${builtin}: reading environment variable '${variable}' is not allowed in restricted mode`, at.pos, {
      code: 'restricted',
      hint: `allow it with the allow-list entry "env:${variable}" (or "${builtin}" for every variable), e.g. --allow env:${variable}`,
    });
  }

  checkBuiltin(builtin: string, at: Located): void {
    if (this.builtinAllowed(builtin)) return;
    throw new LispError(`${builtin} is not allowed in restricted mode`, at.pos, {
      code: 'restricted',
      hint: `allow it with the allow-list entry "${builtin}", e.g. --allow ${builtin}`,
    });
  }
}
