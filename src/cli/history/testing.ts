// Test helpers for the history commands: a backend (file or S3 on moto) with the simulated
// cloud registered, the CLI run in-process or as a process, and the records a stack holds
// (metadata, snapshots, manifest registry, audit events) read back directly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../audit/index.ts';
import type { AuditEvent, OpenedBatch, VerifyReport } from '../../audit/index.ts';
import { SnapshotStore } from '../../history/index.ts';
import type { DeploymentMetadata, Snapshot } from '../../history/index.ts';
import { ManifestStore } from '../../manifests/index.ts';
import type { Registry } from '../../manifests/index.ts';
import { openStateStore, stackOutputs } from '../../state/index.ts';
import type { OpenedStack, PropertyMap } from '../../state/index.ts';
import { cleanEnv, runInProcess } from '../../../test/helpers/cli.ts';
import type { CliResult } from '../../../test/helpers/cli.ts';
import { reveal } from '../../state/index.ts';

export const PASSPHRASE = 'history-test-passphrase-7d1f';
export const SIM_CLI = join(import.meta.dirname, '../../../test/provider/simulated-cli.ts');

export interface Records {
  stack: OpenedStack;
  outputs: PropertyMap;
  meta: DeploymentMetadata | undefined;
  snapshots: Snapshot[];
  registry: Registry;
  batches: OpenedBatch[];
  events: AuditEvent[];
  verify: VerifyReport;
}

export class HistoryEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'sloth-history-'));
  readonly env: Record<string, string | undefined>;

  constructor(backendUrl: string | undefined, extra: Record<string, string> = {}) {
    this.env = cleanEnv({
      HOME: this.dir,
      PULUMI_BACKEND_URL: backendUrl ?? `file://${join(this.dir, 'state')}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      SLOTH_SIM_CLOUD: join(this.dir, 'cloud'),
      SLOTH_OPERATOR_CIDRS: '198.51.100.7/32',
      USER: 'tester',
      ...extra,
    });
  }

  run(argv: string[], opts: { env?: Record<string, string | undefined>; stdin?: string; tty?: boolean } = {}): Promise<CliResult> {
    return runInProcess(argv, { env: { ...this.env, ...opts.env }, cwd: this.dir, stdin: opts.stdin, tty: opts.tty });
  }

  /** The CLI as a separate process, with the simulated cloud registered. */
  process(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [SIM_CLI, ...argv], { env: { ...this.env, ...env } as NodeJS.ProcessEnv, cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  async records(name: string): Promise<Records> {
    const store = await openStateStore({ env: this.env, homedir: this.dir, cwd: this.dir });
    try {
      const stack = await store.openStack(name, { passphrase: async () => PASSPHRASE });
      const outputs = stackOutputs(stack.deployment, name);
      const log = new AuditLog(stack.attachments);
      const { batches } = await log.read();
      const anchor = reveal(outputs.auditIndex) as { seq: number; hash: string; key: string } | undefined;
      return {
        stack,
        outputs,
        meta: reveal(outputs.deploymentMeta) as DeploymentMetadata | undefined,
        snapshots: await new SnapshotStore(stack.attachments).all(),
        registry: await new ManifestStore(stack.attachments).load(),
        batches,
        events: batches.flatMap((b) => b.events),
        verify: await log.verify(anchor),
      };
    } finally {
      store.close();
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
