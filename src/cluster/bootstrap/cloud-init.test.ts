import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderUserData, type UserDataInput } from './cloud-init.ts';
import { generateEd25519KeyPair } from './ssh-keys.ts';
import { validateUserData } from '../testing/cloud-init-schema.ts';
import { checkScript } from '../testing/shell-check.ts';
import { HOST_FIREWALL_PATH } from './host-firewall.ts';
import { missing } from '../../../test/helpers/parts.ts';

const hostKey = generateEd25519KeyPair('masters-1');
const deployKey = generateEd25519KeyPair('deploy');
const input = (over: Partial<UserDataInput> = {}): UserDataInput => ({
  hostname: 'masters-1',
  kind: 'node',
  sshUser: 'sloth',
  sshPort: 22,
  deployPublicKey: deployKey.publicKey,
  hostKey,
  ...over,
});

test('user-data validates against cloud-init schemas (Debian 22.4 and upstream 26.2)', () => {
  for (const kind of ['node', 'bastion'] as const) {
    assert.deepEqual(validateUserData(renderUserData(input({ kind, sshPort: kind === 'bastion' ? 2222 : 22 }))), []);
  }
});

test('the schema check is real: a misspelt key and a wrong type are reported', () => {
  assert.notDeepEqual(validateUserData('#cloud-config\nhostname: a\nssh_key: {}\n'), []);
  assert.notDeepEqual(validateUserData('#cloud-config\nssh_pwauth: [1]\n'), []);
  assert.notDeepEqual(validateUserData('hostname: a\n'), []);
});

test('the host key we generated is the only host key, and the deploy key the only way in', () => {
  const doc = parse(renderUserData(input())) as Record<string, unknown>;
  assert.deepEqual(doc['ssh_keys'], { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey });
  assert.equal(doc['ssh_deletekeys'], true);
  assert.equal(doc['ssh_pwauth'], false);
  assert.equal(doc['disable_root'], true);
  const users = doc['users'] as Record<string, unknown>[];
  assert.equal(users.length, 1);
  assert.deepEqual(users[0]!['ssh_authorized_keys'], [deployKey.publicKey]);
  assert.equal(users[0]!['lock_passwd'], true);
  const text = renderUserData(input());
  // The first body line of every OpenSSH key is the same header; the later ones are the key.
  for (const line of deployKey.privateKey.split('\n').slice(2, -2)) assert.ok(!text.includes(line), 'the deploy private key must never be in user-data');
});

test('sshd: key only, no root, forwarding only on the bastion, port from the config', () => {
  const conf = (kind: 'node' | 'bastion', port: number) => {
    const doc = parse(renderUserData(input({ kind, sshPort: port }))) as { write_files: { path: string; content: string }[] };
    return doc.write_files.find((f) => f.path === '/etc/ssh/sshd_config.d/60-sloth.conf')!.content;
  };
  assert.match(conf('node', 22), /^AllowTcpForwarding no$/m);
  assert.match(conf('bastion', 2222), /^AllowTcpForwarding yes$/m);
  assert.match(conf('bastion', 2222), /^Port 2222$/m);
  for (const line of ['PasswordAuthentication no', 'PermitRootLogin no', 'HostKey /etc/ssh/ssh_host_ed25519_key']) assert.match(conf('node', 22), new RegExp(`^${line}$`, 'm'));
});

test('the baseline host firewall it installs opens SSH only, and passes bash -n and shellcheck', { skip: missing('shellcheck') }, () => {
  const doc = parse(renderUserData(input({ sshPort: 2222 }))) as { write_files: { path: string; content: string; permissions: string }[] };
  const script = doc.write_files.find((f) => f.path === HOST_FIREWALL_PATH)!;
  assert.equal(script.permissions, '0755');
  assert.deepEqual(checkScript(script.content, HOST_FIREWALL_PATH), []);
  const accepts = script.content.split('\n').filter((l) => / accept comment "/.test(l) && !/dhcp/.test(l));
  assert.deepEqual(accepts.map((l) => l.trim()), ['tcp dport 2222 accept comment "ssh"']);
});

test('user-data is a function of the machine\'s identity alone: name, kind, login user, SSH port, deploy key, host key', () => {
  // Nothing else is an input (the type says so); every input that is there shows in the text.
  const base = renderUserData(input());
  for (const over of [{ hostname: 'masters-2' }, { kind: 'bastion' as const }, { sshUser: 'ops' }, { sshPort: 2200 }, { deployPublicKey: generateEd25519KeyPair('other').publicKey }, { hostKey: generateEd25519KeyPair('x') }]) {
    assert.notEqual(renderUserData(input(over)), base, JSON.stringify(Object.keys(over)));
  }
  assert.equal(renderUserData(input()), base, 'rendering is deterministic');
  assert.doesNotMatch(base, /AllowUsers|ClientAlive|MaxSessions|machine\.json|6443|51820/);
});
