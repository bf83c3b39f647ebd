// The Azure path end to end, with the CLI as real processes against the Azure stand-in, which
// holds every request and answer to the serialization mappers of the official SDK: an HA
// cluster (three masters behind the Standard load balancer, workers, Azure DNS records)
// deploys (infrastructure only: the stand-in's VMs are not machines), deploys again with no
// change and no changing call, scales without touching what exists, notices a VM deleted
// behind our back (refresh) and puts it back, puts a widened security rule back, and
// destroys, leaving the subscription as it was. A lost stack is rebuilt by refresh --config
// with the deploy key the VMs hold. Pre-flight failures stop a deploy first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess, type CliResult } from '../../helpers/cli.ts';
import { missing } from '../../helpers/parts.ts';
import { startAzureApi, type AzureApi } from '../../standins/azure/harness.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'azure-ha.lisp');
const skip = missing('openssl');
const EMPTY = { group: 0, vnet: 0, subnet: 0, nsg: 0, rule: 0, pip: 0, nic: 0, lb: 0, vm: 0, record: 0 };

let api: AzureApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  if (skip) return;
  api = await startAzureApi({ zones: ['example.com'], operationMs: 50 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-azure-e2e-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'azure-e2e-passphrase', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
});
after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sloth(args: string[]): Promise<CliResult> {
  const r = await runProcess(args, { env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Calls that change something in the subscription, made since `from` in the stand-in's log. */
function changes(from: number): string[] {
  return api.standin.log
    .slice(from)
    .filter((e) => e.method !== 'GET')
    .map((e) => `${e.method} ${e.path.replace(/\?.*$/, '').replace(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\//i, '')}`);
}

function config(name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name);
  writeFileSync(path, edit(readFileSync(FIXTURE, 'utf8')));
  return path;
}

const summary = /Resources: (\d+) created, (\d+) updated, (\d+) replaced, (\d+) deleted, (\d+) unchanged/;
function counts(r: CliResult): number[] {
  const m = summary.exec(r.stdout);
  assert.ok(m, `no summary in:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return m.slice(1).map(Number);
}
function assertNoChanges(r: CliResult): void {
  if (/^No changes\.$/m.test(r.stdout)) return;
  assert.deepEqual(counts(r).slice(0, 4), [0, 0, 0, 0]);
}

test('an HA cluster on Azure: deploy, again with no change, scale, refresh, destroy', { skip, timeout: 600_000 }, async () => {
  await sloth(['stacks', 'create', 'az-ha']);
  const base = config('azure-ha.lisp');
  // Azure pushes back on the way: throttled once and a server error, both retried by the engine.
  api.standin.failNext(1, { status: 429, match: /^PUT .*\/virtualNetworks\// });
  api.standin.failNext(1, { status: 500, match: /^PUT .*\/publicIPAddresses\// });
  const first = await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(first).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(api.standin.inventory(), { group: 1, vnet: 1, subnet: 1, nsg: 2, rule: api.standin.inventory().rule, pip: 6, nic: 5, lb: 1, vm: 5, record: 6 });
  const [group] = api.standin.of('group');
  assert.equal(group!.body.name, 'az-ha-az-ha', 'the resource group is named for the cluster and stack');
  assert.equal((group!.body.tags as Record<string, string>)['sloth-kubernetes.cluster'], 'az-ha');
  const vm = api.standin.of('vm').find((v) => v.body.name === 'masters-1')!;
  const os = (vm.body.properties as { osProfile: { adminUsername: string; linuxConfiguration: { disablePasswordAuthentication: boolean; ssh: { publicKeys: { keyData: string }[] } } } }).osProfile;
  assert.equal(os.adminUsername, 'sloth');
  assert.equal(os.linuxConfiguration.disablePasswordAuthentication, true);
  assert.match(os.linuxConfiguration.ssh.publicKeys[0]!.keyData, /^ssh-ed25519 /);
  assert.match(api.standin.userDataOf('masters-1') ?? '', /^#cloud-config/);
  assert.match((vm.body.tags as Record<string, string>)['sloth-kubernetes.urn'] ?? '', /^[0-9a-f]{32}$/, 'adoption tag');
  const lb = api.standin.of('lb')[0]!;
  const pool = (lb.body.properties as { backendAddressPools: { properties: { loadBalancerBackendAddresses: { name: string }[] } }[] }).backendAddressPools[0]!;
  assert.deepEqual(pool.properties.loadBalancerBackendAddresses.map((b) => b.name).sort(), ['masters-1', 'masters-2', 'masters-3']);
  const lbIp = api.standin.of('pip').find((p) => p.body.name === 'az-ha-api-ip')!;
  const apiRecord = api.standin.of('record').find((r) => r.body.name === 'api')!;
  assert.deepEqual((apiRecord.body.properties as { ARecords: unknown[] }).ARecords, [{ ipv4Address: (lbIp.body.properties as { ipAddress: string }).ipAddress }]);
  const out = JSON.parse((await sloth(['stacks', 'output', 'az-ha', '--show-secrets', '--json'])).stdout) as { nodes: Record<string, { publicAddress: string }> };
  assert.equal(out.nodes['workers-1']!.publicAddress, (api.standin.of('pip').find((p) => p.body.name === 'workers-1-ip')!.body.properties as { ipAddress: string }).ipAddress);

  let mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), [], 'a deploy with nothing to do changes nothing');

  // Scale the workers from 2 to 3: an address, an interface, a VM and a record; nothing else.
  mark = api.standin.log.length;
  const three = config('azure-ha-3.lisp', (t) => t.replace(/\(count 2\)/, '(count 3)'));
  const scaled = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(scaled).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(changes(mark).sort(), [
    'PUT Microsoft.Compute/virtualMachines/workers-3',
    'PUT Microsoft.Network/dnsZones/example.com/A/workers-3',
    'PUT Microsoft.Network/networkInterfaces/workers-3-nic',
    'PUT Microsoft.Network/publicIPAddresses/workers-3-ip',
  ]);
  assert.equal(api.standin.inventory().vm, 6);

  // A VM deleted behind our back: refresh reports it gone, the next deploy puts it back.
  const victim = api.standin.of('vm').find((v) => v.body.name === 'workers-3')!;
  api.standin.objects.delete(victim.id.toLowerCase());
  const nic = api.standin.of('nic').find((n) => n.body.name === 'workers-3-nic')!;
  delete (nic.body.properties as Record<string, unknown>).virtualMachine;
  const refreshed = await runProcess(['refresh', 'az-ha'], { env });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.match(refreshed.stdout + refreshed.stderr, /workers-3/);
  const healed = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.ok(counts(healed)[0] >= 1);
  assert.ok(api.standin.of('vm').some((v) => v.body.name === 'workers-3' && (v.body.properties as { vmId: string }).vmId !== (victim.body.properties as { vmId: string }).vmId));

  // The API rule opened to the world behind our back: refresh stores the drift, the next
  // deploy puts the configured prefixes back with one PUT.
  const rule = api.standin.of('rule').find((r) => r.id.includes('etcd-master') && r.id.endsWith('/kube-api'))!;
  const before = structuredClone(rule.body.properties);
  (rule.body.properties as Record<string, unknown>).sourceAddressPrefixes = ['0.0.0.0/0'];
  const drift = await runProcess(['refresh', 'az-ha'], { env });
  assert.equal(drift.code, 0, drift.stderr);
  mark = api.standin.log.length;
  const restored = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(restored).slice(0, 4), [0, 1, 0, 0]);
  assert.equal(changes(mark).length, 1);
  assert.deepEqual(api.standin.of('rule').find((r) => r.id === rule.id)!.body.properties, { ...(before as object), provisioningState: 'Succeeded' });

  await sloth(['destroy', 'az-ha', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  api.standin.assertClean();
});

test('a lost stack rebuilt by refresh --config finds every object, and takes the deploy key the VMs hold; the next deploy changes nothing', { skip, timeout: 600_000 }, async () => {
  await sloth(['stacks', 'create', 'az-lost']);
  const base = config('azure-lost.lisp', (t) => t.replace('(name "az-ha")', '(name "az-lost")'));
  await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']);
  const deployed = api.standin.inventory();
  const vms = () => api.standin.of('vm').map((v) => `${v.body.id as string} ${(v.body.properties as { osProfile: { linuxConfiguration: { ssh: { publicKeys: { keyData: string }[] } } } }).osProfile.linuxConfiguration.ssh.publicKeys[0]!.keyData}`);
  const held = vms();
  await sloth(['stacks', 'delete', 'az-lost', '--force', '--yes']);
  await sloth(['stacks', 'create', 'az-lost']);

  let mark = api.standin.log.length;
  const r = await sloth(['refresh', '-c', base, '--no-bootstrap']);
  assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud|not looked up/);
  assert.match(r.stdout, /^= {2}azure:compute\/virtualMachine:VirtualMachine masters-1: found \S+/m);
  assert.deepEqual(changes(mark), [], 'a refresh changes nothing in the subscription');
  const exported = JSON.parse((await sloth(['stacks', 'export', 'az-lost'])).stdout) as { deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] } };
  const recorded = exported.deployment.resources.filter((x) => x.type === 'azure:compute/virtualMachine:VirtualMachine').map((x) => x.inputs!.sshPublicKey);
  assert.deepEqual(new Set(recorded), new Set(held.map((h) => h.split(' ').slice(1).join(' '))), 'the rebuilt stack records the key the VMs hold');

  mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), []);
  assert.deepEqual(api.standin.inventory(), deployed);
  assert.deepEqual(vms(), held, 'the same VMs, holding the same key');

  await sloth(['destroy', 'az-lost', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  api.standin.assertClean();
});

test('pre-flight: a size Azure does not offer, an image it lacks and a zone not in the subscription stop the deploy before anything is made', { skip, timeout: 120_000 }, async () => {
  await sloth(['stacks', 'create', 'az-bad']);
  const bad = config('bad.lisp', (t) =>
    t
      .replace('(name "az-ha")', '(name "az-bad")')
      .replace('(size "Standard_D2s_v3")', '(size "Standard_NC6s_v3")')
      .replace('(size "Standard_B2s")', '(size "Standard_B2s") (image "Canonical:ubuntu-server:9_04:latest")')
      .replace('(domain "example.com")', '(domain "not-ours.example")'),
  );
  const mark = api.standin.log.length;
  const r = await runProcess(['deploy', 'az-bad', '-c', bad, '--no-bootstrap', '--yes'], { env });
  assert.notEqual(r.code, 0);
  const text = r.stdout + r.stderr;
  assert.match(text, /VM size 'Standard_NC6s_v3' is not available to this subscription in eastus \(also workers-2\)/);
  assert.match(text, /image 'Canonical:ubuntu-server:9_04:latest' does not exist in eastus/);
  assert.match(text, /the DNS zone 'not-ours\.example' is not in Azure subscription/);
  assert.match(text, /Nothing was created/i);
  // No subscription, or no credentials at all: one problem each, saying what to set.
  const none = await runProcess(['deploy', 'az-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, AZURE_SUBSCRIPTION_ID: undefined } });
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no Azure subscription: set AZURE_SUBSCRIPTION_ID/);
  const noLogin = await runProcess(['deploy', 'az-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, PATH: process.env.PATH } });
  assert.notEqual(noLogin.code, 0);
  assert.match(noLogin.stdout + noLogin.stderr, /no usable Azure credentials \(tried azureclicredential\)/);
  assert.deepEqual(changes(mark), [], 'no call that changes anything');
  assert.equal(api.standin.inventory().group, 0);
  api.standin.assertClean();
});
