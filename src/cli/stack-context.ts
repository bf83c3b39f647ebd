// The one place that turns CLI flags and io.env into an opened stack: which backend
// (PULUMI_BACKEND_URL, then ~/.sloth-kubernetes/config, then file://~), where the passphrase
// comes from (--password-stdin, PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE, a
// hidden prompt on a terminal), and the "No stack found" / "not found" errors. Every
// stack-bound command (deploy, refresh, destroy, history, export-config, stacks …) uses it:
//
//   const { store, stack } = await openStackForCommand(io, name, { passwordStdin: opts.passwordStdin });
//   try { … stack.deployment … await stack.beginUpdate('update') … } finally { store.close(); }
import { readFile } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { resolve } from 'node:path';
import { openStateStore, StackNotFoundError } from '../state/index.ts';
import type { OpenedStack, OpenOptions, PassphraseSource, StateStore } from '../state/index.ts';
import { CliError } from './errors.ts';
import { interactive } from './io.ts';
import type { CliIO } from './io.ts';
import { readHidden, readStdin } from './prompt.ts';

export interface StackFlags {
  /** --password-stdin: the passphrase is the whole of standard input (one trailing newline dropped). */
  passwordStdin?: boolean;
}

export function homeOf(io: CliIO): string {
  return io.env.HOME || osHomedir();
}

/** The state store for this invocation's backend. Close it when done. */
export function openStore(io: CliIO, backendUrl?: string): Promise<StateStore> {
  return openStateStore({ env: io.env, homedir: homeOf(io), cwd: io.cwd, backendUrl });
}

/** The seed's message when a command needs a stack and the backend has none. */
export function noStackError(io: CliIO): CliError {
  const p = io.programName;
  return new CliError('No stack found.', {
    display: [
      'Error: No stack found.',
      '',
      'Create an encrypted stack first:',
      `  ${p} stacks create <name> --password-stdin`,
      '',
      'Or with AWS KMS:',
      `  ${p} stacks create <name> --kms-key <arn-or-alias>`,
    ].join('\n'),
  });
}

/**
 * Where this invocation's passphrase comes from, asked at most once and only when a stack
 * actually needs it. Order: --password-stdin, PULUMI_CONFIG_PASSPHRASE (even if empty),
 * PULUMI_CONFIG_PASSPHRASE_FILE, a hidden prompt on a terminal. The environment here is
 * the store's (the settings file filled in under io.env).
 */
export function passphraseSource(io: CliIO, store: StateStore, flags: StackFlags, prompt = 'Enter your passphrase to unlock the stack: '): PassphraseSource {
  let value: Promise<string | undefined> | undefined;
  return () => {
    value ??= (async () => {
      if (flags.passwordStdin) return (await readStdin(io)).replace(/\r?\n$/, '');
      const env = store.env;
      if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
      const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
      if (file) {
        const path = resolve(io.cwd, file);
        try {
          return (await readFile(path, 'utf8')).trim();
        } catch (err) {
          throw new CliError(`cannot read PULUMI_CONFIG_PASSPHRASE_FILE ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      if (interactive(io)) return readHidden(io, prompt);
      return undefined;
    })();
    return value;
  };
}

/**
 * The stack a command works on: the name given, or, when none was given, the only stack of
 * the backend. No stacks at all gives the seed's "No stack found" message.
 */
export async function resolveStackName(io: CliIO, store: StateStore, name: string | undefined): Promise<string> {
  if (name) {
    if (!(await store.stackExists(name))) {
      if ((await store.listStacks()).length === 0) throw noStackError(io);
      throw new StackNotFoundError(name, store.url);
    }
    return name;
  }
  const stacks = await store.listStacks();
  if (stacks.length === 0) throw noStackError(io);
  if (stacks.length === 1) return stacks[0]!.name;
  throw new CliError(`this backend has ${stacks.length} stacks; name the one to use`, {
    hint: `Stacks: ${stacks.map((s) => s.name).join(', ')}`,
  });
}

export interface OpenedForCommand {
  store: StateStore;
  stack: OpenedStack;
}

/** Opens a stack for a command: backend, name, passphrase and decryption. Close `store` when done. */
export async function openStackForCommand(
  io: CliIO,
  name: string | undefined,
  flags: StackFlags & Pick<OpenOptions, 'integrity' | 'readOnly'> = {},
): Promise<OpenedForCommand> {
  const store = await openStore(io);
  try {
    const resolved = await resolveStackName(io, store, name);
    const stack = await store.openStack(resolved, { passphrase: passphraseSource(io, store, flags), integrity: flags.integrity, readOnly: flags.readOnly });
    return { store, stack };
  } catch (err) {
    store.close();
    throw err;
  }
}
