// What an interpreter is given from outside: environment, base directory, restricted mode,
// and every source of time, randomness and system facts (injectable so tests are exact).
import { randomBytes as nodeRandomBytes, randomUUID as nodeRandomUUID } from 'node:crypto';
import { homedir as osHomedir, hostname as osHostname, userInfo } from 'node:os';
import { LispError } from './types.ts';

export interface EvalOptions {
  env: Record<string, string | undefined>;
  /** Directory relative paths in `read-file`, `file-exists?` and `expand-path` resolve against. */
  baseDir: string;
  /** Refuse environment, file and system look-ups except the allow-listed ones (see restrictions.ts). */
  restricted?: { allow: string[] };
  /** Override size bounds (defaults: DEFAULT_LIMITS, or RESTRICTED_LIMITS in restricted mode). */
  limits?: Partial<Limits>;
  now?: () => Date;
  randomBytes?: (size: number) => Uint8Array;
  randomUUID?: () => string;
  hostname?: () => string;
  username?: () => string;
  homedir?: () => string;
  /** What `(cwd)` returns; defaults to the process's working directory. */
  cwd?: string;
}

/** Bounds on what one evaluation can make the process do. */
export interface Limits {
  /** Largest source text one read takes, in UTF-8 bytes (a configuration file, standard input, an expression). */
  maxSourceBytes: number;
  /** Most syntax nodes (atoms, strings and lists) one source may hold. */
  maxNodes: number;
  /** Longest string a built-in may produce (characters). */
  maxStringLength: number;
  /** Longest list `range`, `append`, `split` or `list` may produce. */
  maxListLength: number;
  maxRegexPatternLength: number;
  maxRegexInputLength: number;
  maxRandomStringLength: number;
  /** Largest file `read-file` reads (bytes). */
  maxFileSize: number;
  /**
   * Largest value a call may produce, counting every element and string character as
   * reached through nested lists (a list holding the same big list ten times counts it ten
   * times), so that printing, comparing or serializing any value stays bounded.
   */
  maxValueSize: number;
  /**
   * Total work of one evaluation: each call costs 1 plus the sizes of its arguments and
   * result (regex input counts ten times). Bounds CPU time, since a file can repeat work.
   */
  maxWork: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxSourceBytes: 8 * 1024 * 1024,
  maxNodes: 2_000_000,
  maxStringLength: 64 * 1024 * 1024,
  maxListLength: 10_000_000,
  maxRegexPatternLength: 64 * 1024,
  maxRegexInputLength: 64 * 1024 * 1024,
  maxRandomStringLength: 1024 * 1024,
  maxFileSize: 64 * 1024 * 1024,
  maxValueSize: Infinity,
  maxWork: Infinity,
};

/** Restricted mode evaluates configs other people wrote: keep every result small. */
export const RESTRICTED_LIMITS: Readonly<Limits> = {
  maxSourceBytes: 2 * 1024 * 1024,
  maxNodes: 500_000,
  maxStringLength: 1024 * 1024,
  maxListLength: 100_000,
  maxRegexPatternLength: 1000,
  maxRegexInputLength: 64 * 1024,
  maxRandomStringLength: 1024,
  maxFileSize: 1024 * 1024,
  maxValueSize: 16 * 1024 * 1024,
  maxWork: 50_000_000,
};

/** The bounds an evaluation with these options works within (restricted mode has its own). */
export function limitsOf(options: Pick<EvalOptions, 'restricted' | 'limits'>): Readonly<Limits> {
  return { ...(options.restricted ? RESTRICTED_LIMITS : DEFAULT_LIMITS), ...options.limits };
}

/** The system hooks with defaults filled in. */
export interface SystemHooks {
  now: () => Date;
  randomBytes: (size: number) => Uint8Array;
  randomUUID: () => string;
  hostname: () => string;
  username: () => string;
  homedir: () => string;
  cwd: () => string;
}

export function systemHooks(options: EvalOptions): SystemHooks {
  const env = options.env;
  return {
    now: options.now ?? (() => new Date()),
    randomBytes: options.randomBytes ?? ((n) => nodeRandomBytes(n)),
    randomUUID: options.randomUUID ?? (() => nodeRandomUUID()),
    hostname: options.hostname ?? (() => osHostname()),
    username:
      options.username ??
      (() => {
        try {
          return userInfo().username;
        } catch {
          // No passwd entry (some containers): fall back to what the login shell exported.
          const name = env.USER || env.LOGNAME;
          if (name) return name;
          throw new LispError('cannot determine the current user (no passwd entry and no USER variable)');
        }
      }),
    homedir: options.homedir ?? (() => env.HOME || osHomedir()),
    cwd: options.cwd !== undefined ? () => options.cwd! : () => process.cwd(),
  };
}
