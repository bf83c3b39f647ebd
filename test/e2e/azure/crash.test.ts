// Crash safety on Azure (the stand-in, held to the SDK's mappers): deploys SIGKILLed at seeded
// random points, then deployed to the end, leave exactly the stack's resources — ARM's PUT by
// name and adoption by the URN tag at work — converge, and destroy to nothing. SLOTH_CRASH_SEED
// replays a run (test/e2e/crash-rounds.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../../helpers/cli.ts';
import { missing } from '../../helpers/parts.ts';
import { startAzureApi, type AzureApi } from '../../standins/azure/harness.ts';
import { crashRounds } from '../crash-rounds.ts';

const skip = missing('openssl');
const seed = Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000);
const TYPES: Record<string, string> = {
  group: 'azure:core/resourceGroup:ResourceGroup',
  vnet: 'azure:network/virtualNetwork:VirtualNetwork',
  subnet: 'azure:network/subnet:Subnet',
  nsg: 'azure:network/networkSecurityGroup:NetworkSecurityGroup',
  rule: 'azure:network/networkSecurityRule:NetworkSecurityRule',
  pip: 'azure:network/publicIp:PublicIp',
  nic: 'azure:network/networkInterface:NetworkInterface',
  lb: 'azure:network/loadBalancer:LoadBalancer',
  vm: 'azure:compute/virtualMachine:VirtualMachine',
  record: 'azure:dns/recordSet:RecordSet',
};

let api: AzureApi;
let dir: string;

before(async () => {
  if (skip) return;
  api = await startAzureApi({ zones: ['example.com'], operationMs: 300 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-azure-crash-'));
});
after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`Azure: deploy killed at random points, then deployed again: exactly the stack's resources (seed ${seed})`, { skip, timeout: 1_200_000 }, async (t) => {
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'azure-crash', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
  const kills = await crashRounds(
    {
      env,
      config: join(import.meta.dirname, 'fixtures', 'azure-ha.lisp'),
      typePrefix: 'azure:',
      rounds: 3,
      seed,
      cloud: () => Object.fromEntries(Object.entries(TYPES).map(([kind, type]) => [type, api.standin.of(kind as 'vm').map((o) => o.id)])),
    },
    'az-crash',
  );
  assert.ok(kills >= 3, `at least 3 runs were killed mid-way (${kills})`);
  t.diagnostic(`seed ${seed}: ${kills} kills`);
  api.standin.assertClean();
});
