// What `sloth-kubernetes kubectl <stack> …` adds over running kubectl itself: the same request
// (`get --raw /readyz` against the real kube-apiserver of test/helpers/kube.ts), plain kubectl
// with the kubeconfig in a file vs. through the launcher (bin/sloth-kubernetes.js: Node start-up,
// the stack opened with its key derivation, the read recorded in the audit log, the temporary
// kubeconfig written and removed), interleaved, file:// backend; and through the single
// executable too when it is built (npm run build:exe). Target: < 300 ms more.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { kubeApiMissing, startKubeApi } from '../test/helpers/kube.ts';
import { which } from '../test/helpers/parts.ts';
import { pointStackAt } from '../test/helpers/deployed-stack.ts';
import { HistoryEnv, PASSPHRASE } from '../src/cli/history/testing.ts';

const why = kubeApiMissing();
if (why) {
  console.error(why);
  process.exit(1);
}
const RUNS = Number(process.argv[2] ?? 11);
const launcher = join(import.meta.dirname, '..', 'bin', 'sloth-kubernetes.js');
const exe = join(import.meta.dirname, '..', 'dist', 'exe', `sloth-kubernetes-${process.platform}-${process.arch}`);
const api = await startKubeApi();
const e = new HistoryEnv(undefined, { SLOTH_KUBECTL: which('kubectl')! });
try {
  if ((await e.run(['stacks', 'create', 'bench'])).code !== 0) throw new Error('stacks create failed');
  await pointStackAt(e, 'bench', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default') });
  const time = (argv: string[]) => {
    const t = performance.now();
    const r = spawnSync(argv[0]!, argv.slice(1), { env: e.env as NodeJS.ProcessEnv, cwd: e.dir, encoding: 'utf8' });
    const ms = performance.now() - t;
    if (r.status !== 0 || r.stdout !== 'ok') throw new Error(`${argv.join(' ')}: ${r.status} ${r.stdout}${r.stderr}`);
    return ms;
  };
  const ways: [string, string[]][] = [
    ['launcher', [process.execPath, launcher]],
    ...(existsSync(exe) ? [['single executable', [exe]] as [string, string[]]] : []),
  ];
  const args = ['kubectl', 'bench', 'get', '--raw', '/readyz'];
  const plain: number[] = [];
  const through = ways.map(() => [] as number[]);
  for (const [, cmd] of ways) time([...cmd, ...args]); // warm the compile cache
  for (let i = 0; i < RUNS; i++) {
    plain.push(time([which('kubectl')!, '--kubeconfig', api.kubeconfig, 'get', '--raw', '/readyz']));
    ways.forEach(([, cmd], w) => through[w]!.push(time([...cmd, ...args])));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`kubectl passthrough (${RUNS} runs each, interleaved, load ${loadavg()[0]!.toFixed(1)}):`);
  console.log(`  kubectl get --raw /readyz: median ${Math.round(median(plain))} ms (min ${Math.round(Math.min(...plain))})`);
  ways.forEach(([name], w) => {
    const xs = through[w]!;
    console.log(`  sloth-kubernetes kubectl bench get --raw /readyz (${name}): median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}); added: median ${Math.round(median(xs) - median(plain))} ms (min-to-min ${Math.round(Math.min(...xs) - Math.min(...plain))} ms)   target < 300 ms`);
  });
} finally {
  e.cleanup();
  await api.stop();
}
