// Where each object of a stack lives: Pulumi's project layout (STATE-FORMAT.md §1.3) with
// the project `sloth-kubernetes`, plus our journal next to it.
import { InvalidStackNameError } from './errors.ts';

export const PROJECT = 'sloth-kubernetes';
export const META_KEY = '.pulumi/meta.yaml';
export const STACKS_PREFIX = `.pulumi/stacks/${PROJECT}/`;
export const HISTORY_PREFIX = `.pulumi/history/${PROJECT}/`;
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The one rule for stack names, on every backend: 1 to 100 letters, digits, '-', '_' or '.',
 * and exactly one path segment — '.' and '..' would name the project's directory or the one
 * above it, so every key below would reach other stacks' objects (file:// resolves them; S3
 * servers may too).
 */
export function isValidStackName(name: string): boolean {
  return STACK_NAME.test(name) && name !== '.' && name !== '..';
}

/** Throws InvalidStackNameError unless `name` can name a stack; every key of a stack is built through it. */
export function checkStackName(name: string): string {
  if (!isValidStackName(name)) throw new InvalidStackNameError(name);
  return name;
}

export function qualifiedName(stack: string): string {
  return `organization/${PROJECT}/${stack}`;
}

export function rootStackUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
}

const seg = checkStackName;

export const keys = {
  checkpoint: (stack: string) => `${STACKS_PREFIX}${seg(stack)}.json`,
  checkpointBackup: (stack: string) => `${STACKS_PREFIX}${seg(stack)}.json.bak`,
  historyDir: (stack: string) => `${HISTORY_PREFIX}${seg(stack)}/`,
  history: (stack: string, ns: string) => `${HISTORY_PREFIX}${seg(stack)}/${stack}-${ns}.history.json`,
  historyCheckpoint: (stack: string, ns: string) => `${HISTORY_PREFIX}${seg(stack)}/${stack}-${ns}.checkpoint.json`,
  backupDir: (stack: string) => `.pulumi/backups/${PROJECT}/${seg(stack)}/`,
  backup: (stack: string, ns: string) => `.pulumi/backups/${PROJECT}/${seg(stack)}/${stack}.${ns}.json`,
  lockDir: (stack: string) => `.pulumi/locks/${qualifiedName(seg(stack))}/`,
  journalDir: (stack: string) => `.pulumi/journal/${PROJECT}/${seg(stack)}/`,
  journal: (stack: string, seq: number) => `.pulumi/journal/${PROJECT}/${seg(stack)}/${String(seq).padStart(12, '0')}.json`,
  /** Per-stack attachments (snapshots, manifest registry, audit log); the Pulumi CLI ignores them. */
  attachmentsDir: (stack: string) => `.pulumi/sloth/${PROJECT}/${seg(stack)}/`,
  archivedAttachmentsDir: (stack: string, ns: string) => `.pulumi/sloth-archive/${PROJECT}/${seg(stack)}-${ns}/`,
};

/** Stack checkpoint keys under STACKS_PREFIX that `stacks list` counts (as Pulumi's `stack ls`). */
export function stackNameOfKey(key: string): string | undefined {
  if (!key.startsWith(STACKS_PREFIX)) return undefined;
  const m = /^([^/]+)\.(json|yaml|yml)(\.gz|\.zst)?$/.exec(key.slice(STACKS_PREFIX.length));
  return m && isValidStackName(m[1]!) ? m[1] : undefined;
}

let lastNs = 0n;
/** A unix-nanosecond timestamp string (19 digits), strictly increasing within the process. */
export function unixNanos(now: Date = new Date()): string {
  let ns = BigInt(now.getTime()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns.toString();
}
