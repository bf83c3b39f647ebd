// Renders a cluster plan as one reviewable text: every machine's user-data and every remote
// step (where it runs, what it waits for, its placeholders, the files it installs and its
// script). Keys and tokens come from a fixed "previous deployment" so the text is stable.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClusterModel } from '../model.ts';
import { planCluster, type ClusterPlan, type PreviousCluster } from '../plan.ts';
import type { RsaKeyPair } from '../bootstrap/salt.ts';

function fakeWireGuardKey(seed: string): string {
  const raw = createHash('sha256').update(`wg:${seed}`).digest();
  raw[0]! &= 248;
  raw[31]! &= 127;
  raw[31]! |= 64;
  return raw.toString('base64');
}

const fakeSsh = (name: string) => ({
  privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n(snapshot host key of ${name})\n-----END OPENSSH PRIVATE KEY-----\n`,
  publicKey: `ssh-ed25519 AAAAsnapshot${name.replace(/[^a-z0-9]/g, '')} ${name}`,
});
const fakeRsa = (name: string): RsaKeyPair => ({
  privateKey: `-----BEGIN RSA PRIVATE KEY-----\n(snapshot salt key of ${name})\n-----END RSA PRIVATE KEY-----\n`,
  publicKey: `-----BEGIN PUBLIC KEY-----\n(snapshot salt public key of ${name})\n-----END PUBLIC KEY-----\n`,
});

/** A previous deployment that already holds fixed keys and tokens for every machine of the model. */
export function fixedPrevious(model: ClusterModel): PreviousCluster {
  const names = [...(model.bastion ? [model.bastion.name] : []), ...model.nodes.map((n) => n.name)];
  return {
    mesh: Object.fromEntries(names.map((n, i) => [n, { address: `10.8.0.${i + 1}`, privateKey: fakeWireGuardKey(n) }])),
    hostKeys: Object.fromEntries(names.map((n) => [n, fakeSsh(n)])),
    ownHostKeys: Object.fromEntries(names.map((n) => [n, fakeSsh(`own-${n}`)])),
    deployKey: fakeSsh('deploy'),
    tokens: { server: 'snapshot-server-token', agent: 'snapshot-agent-token' },
    servers: [],
    salt: { master: fakeRsa('master'), minions: Object.fromEntries(model.nodes.map((n) => [n.name, fakeRsa(n.name)])), apiPassword: 'snapshot-salt-api-secret' },
  };
}

export function renderPlanSnapshot(plan: ClusterPlan): string {
  const out: string[] = [`# Snapshot of the rendered bootstrap for cluster '${plan.model.name}'`, '# Regenerate with UPDATE_SNAPSHOTS=1; review every change against docs/bootstrap.md.', ''];
  out.push(`api load balancer: ${plan.apiLoadBalancer ? 'yes' : 'no'}; api node: ${plan.apiNode}; initialising server: ${plan.initServer ?? '(none)'}`);
  out.push(`warnings: ${plan.warnings.length === 0 ? '(none)' : ''}`, ...plan.warnings.map((w) => `  - ${w}`), '');
  const seenScripts = new Map<string, string>();
  const seenUserData = new Set<string>();
  for (const m of plan.machines) {
    const kind = m.kind === 'bastion' ? 'bastion' : m.node!.roles.join('+');
    if (seenUserData.has(kind)) continue;
    seenUserData.add(kind);
    out.push(`======== user-data of ${m.name} (${kind}; other machines of this kind differ only in names and keys)`, m.userData.trimEnd(), '');
  }
  const kindOf = new Map(plan.machines.map((m) => [m.name, m.kind === 'bastion' ? 'bastion' : m.node!.roles.join('+')]));
  const hostStepOfKind = new Map<string, string>();
  for (const s of plan.steps) {
    // Host steps of machines of one kind differ only in names, keys and addresses: the first is shown.
    const kind = kindOf.get(s.machine)!;
    if (s.name.startsWith('host-') && hostStepOfKind.has(kind)) {
      out.push(`======== step ${s.name} on ${s.machine}: as step ${hostStepOfKind.get(kind)} (${kind}; differs only in names, keys and addresses)`, `after: ${s.after.join(', ')}`, '');
      continue;
    }
    if (s.name.startsWith('host-')) hostStepOfKind.set(kind, s.name);
    out.push(`======== step ${s.name} on ${s.machine}: ${s.purpose}`);
    const c = s.connection;
    out.push(`connect: ${c.user}@${JSON.stringify(c.host)}:${c.port}${c.via ? ` via ${c.via.user}@${c.via.machine}:${c.via.port}` : ''}`);
    out.push(`after: ${s.after.join(', ') || '(nothing)'}`, `output: ${s.output}; timeout: ${s.timeoutSeconds}s`);
    for (const [name, source] of Object.entries(s.vars)) out.push(`var ${name} = ${JSON.stringify(source)}`);
    for (const f of s.files) out.push(`--- file ${f.path} (mode ${f.mode})`, f.content.trimEnd());
    const previousUse = seenScripts.get(s.script);
    if (previousUse) out.push(`--- script: same as step ${previousUse}`);
    else {
      seenScripts.set(s.script, s.name);
      out.push('--- script', s.script.trimEnd());
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

export function planSnapshot(model: ClusterModel): { plan: ClusterPlan; text: string } {
  const plan = planCluster(model, fixedPrevious(model));
  return { plan, text: renderPlanSnapshot(plan) };
}

/** Compares with the stored snapshot; with UPDATE_SNAPSHOTS=1 (re)writes it instead. Returns a diff message or undefined. */
export function matchSnapshot(path: string, text: string, env: Record<string, string | undefined>): string | undefined {
  if (env['UPDATE_SNAPSHOTS'] === '1' || !existsSync(path)) {
    if (env['UPDATE_SNAPSHOTS'] !== '1' && env['CI']) return `snapshot ${path} is missing (run with UPDATE_SNAPSHOTS=1 and review it)`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return undefined;
  }
  const stored = readFileSync(path, 'utf8');
  if (stored === text) return undefined;
  const a = stored.split('\n');
  const b = text.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  return `snapshot ${path} differs at line ${line + 1}:\n  stored:   ${a[line]}\n  rendered: ${b[line]}\n(if the change is intended, run with UPDATE_SNAPSHOTS=1 and review the diff)`;
}
