// Crash safety on GCP (the stand-in, held to the compute descriptors): deploys SIGKILLed at
// seeded random points, then deployed to the end, leave exactly the stack's resources —
// adoption by name plus label or description mark at work — converge, and destroy to nothing.
// SLOTH_CRASH_SEED replays a run (test/e2e/crash-rounds.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../../helpers/cli.ts';
import { missing } from '../../helpers/parts.ts';
import { startGcpApi, type GcpApi } from '../../standins/gcp/harness.ts';
import { crashRounds } from '../crash-rounds.ts';

const skip = missing('openssl');
const seed = Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000);
const KINDS = ['network', 'subnetwork', 'firewall', 'instance', 'address', 'targetPool', 'forwardingRule'] as const;

let api: GcpApi;
let dir: string;

before(async () => {
  if (skip) return;
  api = await startGcpApi({ zones: ['example.com'], operationMs: 300 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-gcp-crash-'));
});
after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`GCP: deploy killed at random points, then deployed again: exactly the stack's resources (seed ${seed})`, { skip, timeout: 1_200_000 }, async (t) => {
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'gcp-crash', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
  const kills = await crashRounds(
    {
      env,
      config: join(import.meta.dirname, 'fixtures', 'gcp-ha.lisp'),
      typePrefix: 'gcp:',
      rounds: 3,
      seed,
      cloud: () => ({
        ...Object.fromEntries(KINDS.map((k) => [`gcp:compute/${k}:${k[0]!.toUpperCase()}${k.slice(1)}`, api.standin.of(k).map((o) => String(o.body.id))])),
        'gcp:dns/recordSet:RecordSet': [...api.standin.records.values()].map((r) => `example-com/${r.name}/${r.type}`),
      }),
    },
    'gc-crash',
  );
  assert.ok(kills >= 3, `at least 3 runs were killed mid-way (${kills})`);
  t.diagnostic(`seed ${seed}: ${kills} kills`);
  api.standin.assertClean();
});
