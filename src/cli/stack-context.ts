// How the CLI unlocks stacks: the passphrase comes from --password-stdin, the environment
// (PULUMI_CONFIG_PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE; see src/ops/stack.ts) or a hidden
// prompt on a terminal. Opening a stack (backend, name, "No stack found") is the ops layer's.
import { homedir as osHomedir } from 'node:os';
import { environmentPassphrase, openStore as opsOpenStore } from '../ops/stack.ts';
import type { PassphraseSource, StateStore } from '../state/index.ts';
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
  return opsOpenStore({ env: io.env, homedir: homeOf(io), cwd: io.cwd }, backendUrl);
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
      const fromEnv = await environmentPassphrase(store, io.cwd);
      if (fromEnv !== undefined) return fromEnv;
      if (interactive(io)) return readHidden(io, prompt);
      return undefined;
    })();
    return value;
  };
}
