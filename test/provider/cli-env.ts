// A temporary backend with one stack, a test cloud, and the test provider registered with the
// CLI, for in-process and child-process tests of the engine commands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openStateStore } from '../../src/state/index.ts';
import type { OpenedStack, StateStore } from '../../src/state/index.ts';
import { deploy, ProviderRegistry } from '../../src/engine/index.ts';
import type { DesiredGraph } from '../../src/engine/index.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { cleanEnv } from '../helpers/cli.ts';
import { FileCloud } from './file-cloud.ts';
import { testProvider } from './test-provider.ts';

export const PASSPHRASE = 'engine-cli-test';

export class CliStackEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'sloth-engine-cli-'));
  readonly backend = `file://${join(this.dir, 'backend')}`;
  readonly cloudDir = join(this.dir, 'cloud');
  readonly cloud = new FileCloud(this.cloudDir);
  readonly env: Record<string, string | undefined>;

  constructor() {
    this.env = cleanEnv({ HOME: this.dir, PULUMI_BACKEND_URL: this.backend, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, SLOTH_TEST_CLOUD: this.cloudDir });
  }

  async store(): Promise<StateStore> {
    return openStateStore({ env: this.env, homedir: this.dir, cwd: this.dir });
  }

  async create(name = 'dev'): Promise<void> {
    const store = await this.store();
    try {
      await store.createStack(name, { passphrase: PASSPHRASE });
    } finally {
      store.close();
    }
  }

  async open(name = 'dev'): Promise<{ store: StateStore; stack: OpenedStack }> {
    const store = await this.store();
    return { store, stack: await store.openStack(name, { passphrase: async () => PASSPHRASE }) };
  }

  registry(): ProviderRegistry {
    return new ProviderRegistry().register(testProvider({ dir: this.cloudDir }));
  }

  /** Deploys through the engine directly (no CLI). */
  async deploy(g: DesiredGraph): Promise<void> {
    const { store, stack } = await this.open(g.stack);
    try {
      const r = await deploy(stack, g.build(), { registry: this.registry(), env: this.env });
      if (r.result !== 'succeeded') throw new Error(`set-up deploy failed: ${JSON.stringify(r.failures)}`);
    } finally {
      store.close();
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A CliIO with captured output, like test/helpers/cli.ts runInProcess builds. */
export function captureIO(env: Record<string, string | undefined>, options: { tty?: boolean; stdin?: string } = {}): { io: CliIO; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.tty;
  stdin.end(options.stdin ?? '');
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty, columns: 100 },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty },
    stdin,
    env,
    cwd: process.cwd(),
    programName: 'sloth-kubernetes',
  };
  return { io, out: () => stdout, err: () => stderr };
}
