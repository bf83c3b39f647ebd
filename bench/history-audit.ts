// The cost of the stack-as-database records:
//  - audit log: appends one by one (file:// and S3 on moto), appends from 8 concurrent writers
//    (never forked), then reading and verifying the whole chain;
//  - a cluster deploy of the seed's AWS production example against the simulated cloud, with
//    and without the history recorder (manifest registry, metadata, snapshot).
//   node bench/history-audit.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStateStore } from '../src/state/index.ts';
import type { StateStore } from '../src/state/index.ts';
import { AuditLog } from '../src/audit/index.ts';
import type { AuditEvent } from '../src/audit/index.ts';
import { startMoto } from '../test/helpers/moto.ts';
import { createBucket, s3Url } from '../test/helpers/s3.ts';
import { cleanEnv, runInProcess } from '../test/helpers/cli.ts';
import { registerSimulatedClouds } from '../test/provider/simulated-cloud.ts';
import { captureIO } from '../test/provider/cli-env.ts';
import { withCli } from '../src/cli/host.ts';
import { deployGraph } from '../src/ops/index.ts';
import { desiredFromConfig, loadClusterConfig } from '../src/ops/cluster-desired.ts';

const PW = 'bench passphrase';
const event = (i: number): AuditEvent => ({
  id: randomUUID(),
  timestamp: new Date().toISOString(),
  type: 'manifest',
  action: 'apply',
  severity: 'info',
  resourceId: `k3s-config-workers-${i}`,
  resourceType: 'k3s',
  actor: 'bench@host',
  description: `Manifest k3s-config-workers-${i} v2 applied (was v1)`,
  oldValue: { version: 'v1', hash: 'a'.repeat(64), status: 'applied' },
  newValue: { version: 'v2', hash: 'b'.repeat(64), status: 'applied' },
  metadata: { command: 'deploy', node: `workers-${i}` },
  correlationId: randomUUID(),
  durationMs: 0,
  success: true,
});

async function auditBench(label: string, store: StateStore, appends: number): Promise<void> {
  await store.createStack('audit', { passphrase: PW });
  const stack = await store.openStack('audit', { passphrase: async () => PW });
  const log = new AuditLog(stack.attachments);
  await log.append([event(0)]);
  let t = performance.now();
  for (let i = 1; i < appends; i++) await log.append([event(i), event(i + 1), event(i + 2)]);
  const one = (performance.now() - t) / (appends - 1);
  t = performance.now();
  await Promise.all(Array.from({ length: 8 }, () => (async () => {
    const own = new AuditLog(stack.attachments);
    for (let i = 0; i < 25; i++) await own.append([event(i)]);
  })()));
  const concurrent = (performance.now() - t) / 200;
  t = performance.now();
  const { batches } = await log.read();
  const read = performance.now() - t;
  t = performance.now();
  const report = await log.verify(await log.anchor());
  const verify = performance.now() - t;
  if (!report.ok) throw new Error(report.problems.join('; '));
  console.log(`${label}: append ${one.toFixed(1)} ms/batch (sequential), ${concurrent.toFixed(1)} ms/batch (8 writers, ${report.batches} batches, chain intact); read ${batches.length} batches ${read.toFixed(0)} ms, verify ${verify.toFixed(0)} ms (${report.events} events)`);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-history-'));
try {
  const fileStore = await openStateStore({ env: {}, homedir: dir, cwd: dir, backendUrl: `file://${dir}/state` });
  await auditBench('audit, file://', fileStore, 1000);
  fileStore.close();
  const moto = await startMoto();
  if (moto) {
    try {
      const url = s3Url(await createBucket(moto.endpoint, moto.env), moto.endpoint);
      const s3 = await openStateStore({ env: moto.env, homedir: dir, cwd: dir, backendUrl: url });
      await auditBench('audit, s3:// (moto)', s3, 300);
      s3.close();
    } finally {
      await moto.stop();
    }
  }

  // A cluster deploy with and without the history recorder.
  registerSimulatedClouds();
  const seed = join(import.meta.dirname, '../test/fixtures/config/seeds/aws-production.lisp');
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${dir}/deploys`, PULUMI_CONFIG_PASSPHRASE: PW, SLOTH_SIM_CLOUD: join(dir, 'cloud'), AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
  const times: Record<string, number[]> = { with: [], without: [] };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['with', 'without'] as const) {
      const name = `p-${mode}-${i}`;
      await runInProcess(['stacks', 'create', name], { env, cwd: dir });
      const t = performance.now();
      if (mode === 'with') {
        const r = await runInProcess(['deploy', name, '--config', seed, '--yes', '--operator-cidr', '198.51.100.7'], { env, cwd: dir });
        if (r.code !== 0) throw new Error(r.stderr);
      } else {
        const { io } = captureIO(env);
        await withCli({ ...io, cwd: dir }, { yes: true }, async (ctx) => {
          const loaded = await loadClusterConfig(ctx, seed);
          await deployGraph(ctx, { stack: name, build: (s) => desiredFromConfig(ctx, loaded, s, { operatorCidrs: ['198.51.100.7/32'] }) });
        });
      }
      times[mode]!.push(performance.now() - t);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(`deploy of the seed's AWS production example (simulated cloud, file://): with history ${median(times.with!).toFixed(0)} ms, without ${median(times.without!).toFixed(0)} ms (median of 3; the difference is the registry, metadata and snapshot)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
