// The host step's script, run for real: bash, getent, install, sshd -t (the real sshd) and
// nft (in a fresh network namespace), with /etc, /usr/local/sbin and /var/log replaced by
// copies in a temporary directory through a private mount namespace, so nothing of this
// machine changes. The one test-only change to the script is where the host firewall looks
// for physical interfaces (a namespace has no NIC with a backing device), as in
// test/netns/host-firewall.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHostConfigScript, sshdAccessConfig, SSHD_ACCESS_PATH, type HostConfigInput } from './host-config.ts';
import { renderHostFirewallScript, HOST_FIREWALL_PATH } from './host-firewall.ts';
import { deriveFirewallRules, targetIncludes } from '../firewall/rules.ts';
import { sampleModel } from '../testing/arbitraries.ts';
import { checkScript } from '../testing/shell-check.ts';
import { missing } from '../../../test/helpers/parts.ts';

const skipReason = missing('root', 'unshare', 'nft', 'sshd');

function inputFor(model = sampleModel(), over: Partial<HostConfigInput> = {}): HostConfigInput {
  const master = model.nodes[0]!;
  const rules = deriveFirewallRules(model).rules.filter((r) => r.via === 'public' && targetIncludes(r.target, { kind: 'node', roles: master.roles }));
  return {
    machine: master.name,
    loginUser: 'slothtest',
    authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeploy deploy', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops@example'],
    allowedUsers: ['ops'],
    firewallScript: renderHostFirewallScript(rules),
    facts: { kind: 'node', cluster: model.name, roles: master.roles },
    ...over,
  };
}

test('the host step script passes bash -n and shellcheck, and carries no placeholder', { skip: missing('shellcheck') }, () => {
  const script = renderHostConfigScript(inputFor());
  assert.deepEqual(checkScript(script, 'host'), []);
  assert.doesNotMatch(script, /\{\{sloth:/);
});

test('sshd access settings: AllowUsers always includes the login user; idle timeout and sessions only when set', () => {
  assert.equal(sshdAccessConfig({ loginUser: 'sloth' }), '# Managed by sloth-kubernetes (host step): who may log in, and for how long.\n');
  assert.match(sshdAccessConfig({ loginUser: 'sloth', allowedUsers: ['ops', 'sloth'] }), /^AllowUsers sloth ops$/m);
  assert.match(sshdAccessConfig({ loginUser: 'sloth', idleTimeoutMinutes: 15, maxSessions: 4 }), /^ClientAliveInterval 60\nClientAliveCountMax 15\nMaxSessions 4$/m);
  assert.throws(() => renderHostConfigScript(inputFor(undefined, { authorizedKeys: ['ssh-ed25519 AAAA a\nPermitRootLogin yes'] })), /more than one line/);
});

test('run for real: installs facts, keys, sshd access and the full firewall; a second run changes nothing; new rules are applied; a setting sshd rejects is rolled back', { skip: skipReason, timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'sloth-host-step-'));
  try {
    const etc = join(root, 'etc');
    cpSync('/etc', etc, { recursive: true, dereference: false, verbatimSymlinks: true, errorOnExist: false, filter: (src) => !src.startsWith('/etc/ssl/private') });
    mkdirSync(join(root, 'home', 'slothtest'), { recursive: true });
    appendFileSync(join(etc, 'passwd'), `slothtest:x:4242:4242::${join(root, 'home', 'slothtest')}:/bin/bash\n`);
    appendFileSync(join(etc, 'group'), 'slothtest:x:4242:\n');
    rmSync(join(etc, 'ssh', 'sshd_config.d'), { recursive: true, force: true });
    mkdirSync(join(etc, 'ssh', 'sshd_config.d'));
    mkdirSync(join(root, 'sbin'));
    mkdirSync(join(root, 'log'));
    const sys = join(root, 'sysnet');
    mkdirSync(join(sys, 'pub0'), { recursive: true });
    writeFileSync(join(sys, 'pub0', 'device'), '');
    mkdirSync(join(sys, 'lo'));

    /** Runs a host step script as the machine would, then lists the host table in the same namespace. */
    const run = (input: HostConfigInput) => {
      const script = renderHostConfigScript(input).replaceAll('/sys/class/net/*', `${sys}/*`);
      const wrapper = `set -e
mount --bind ${etc} /etc
mount --bind ${join(root, 'sbin')} /usr/local/sbin
mount --bind ${join(root, 'log')} /var/log
status=0
bash -s <<'SLOTH_TEST_SCRIPT' || status=$?
${script}SLOTH_TEST_SCRIPT
echo "== exit $status"
nft list table inet sloth_host 2>/dev/null || echo "== no table"
`;
      const r = spawnSync('unshare', ['--mount', '--net', '--propagation', 'private', 'bash', '-c', wrapper], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return { out: r.stdout, err: r.stderr, code: Number(/== exit (\d+)/.exec(r.stdout)![1]) };
    };

    // First run: everything installed, the baseline replaced by the full rule set.
    const single = sampleModel({ nodes: sampleModel().nodes.slice(0, 1) });
    single.network = { ...single.network, allowedCidrs: ['198.51.100.0/24'], extraFirewallRules: [{ protocol: 'tcp', ports: '8443', sources: ['192.0.2.0/24'], target: 'nodes' }] };
    const first = inputFor(single);
    const one = run(first);
    assert.equal(one.code, 0, one.err);
    assert.match(one.err, /changed: .*machine\.json .*authorized_keys .*61-sloth-access\.conf .*sloth-host-firewall/);
    assert.match(one.out, /tcp dport 22 accept comment "ssh"/, 'SSH (the deploy\'s way in) from anywhere: the cloud firewall narrows it');
    assert.match(one.out, /ip saddr 198\.51\.100\.0\/24 tcp dport 6443 accept comment "kube-api"/);
    assert.match(one.out, /ip saddr 192\.0\.2\.0\/24 tcp dport 8443 accept comment "user-1"/);
    const keys = join(root, 'home', 'slothtest', '.ssh', 'authorized_keys');
    assert.equal(readFileSync(keys, 'utf8'), `${first.authorizedKeys.join('\n')}\n`);
    assert.equal(statSync(keys).mode & 0o777, 0o600);
    assert.equal(statSync(keys).uid, 4242);
    assert.equal(readFileSync(join(etc, SSHD_ACCESS_PATH.slice('/etc/'.length)), 'utf8'), sshdAccessConfig(first));
    assert.equal(readFileSync(join(root, 'sbin', HOST_FIREWALL_PATH.split('/').pop()!), 'utf8'), first.firewallScript.replaceAll('/sys/class/net/*', `${sys}/*`));
    assert.deepEqual(JSON.parse(readFileSync(join(etc, 'sloth', 'machine.json'), 'utf8')), { name: first.machine, ...first.facts, roles: [...(first.facts['roles'] as string[])] });

    // Second run, same inputs: nothing changes on disk, the rules are applied again (idempotent).
    const two = run(first);
    assert.equal(two.code, 0, two.err);
    assert.doesNotMatch(two.err, /changed:/);
    assert.equal(two.out.match(/comment "kube-api"/g)?.length, 1);

    // The operator moved and a rule was added: the new rules replace the old ones.
    const moved = sampleModel({ nodes: single.nodes });
    moved.network = { ...single.network, operatorCidrs: ['203.0.113.9/32'], extraFirewallRules: [...single.network.extraFirewallRules, { protocol: 'udp', ports: '4500', sources: ['0.0.0.0/0'], target: 'nodes' }] };
    const three = run(inputFor(moved));
    assert.equal(three.code, 0, three.err);
    assert.match(three.err, /changed: .*sloth-host-firewall/);
    assert.match(three.out, /ip saddr \{ 198\.51\.100\.0\/24, 203\.0\.113\.9 \} tcp dport 6443 accept/);
    assert.match(three.out, /udp dport 4500 accept comment "user-2"/);

    // sshd rejects a setting: the step fails and the previous access file stays.
    const before = readFileSync(join(etc, 'ssh', 'sshd_config.d', '61-sloth-access.conf'), 'utf8');
    const four = run(inputFor(moved, { maxSessions: -5 }));
    assert.notEqual(four.code, 0);
    assert.match(four.err, /sshd rejects the new access settings/);
    assert.equal(readFileSync(join(etc, 'ssh', 'sshd_config.d', '61-sloth-access.conf'), 'utf8'), before);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
