// The whole configuration pipeline on a generated file with 2,000 node pools across four
// providers, every pool using built-ins: read + evaluate + decode + derived defaults +
// schema checks + cross-key rules (loadConfigText). Budget (docs/architecture.md): < 200 ms.
import { ConfigError, loadConfigText } from '../src/config/index.ts';

const POOLS = 2000;
const TARGET_MS = 200;
const RUNS = 15;

/** The generated config (also validated through the CLI by bench/cli-startup.ts). */
export function generate(): string {
  const providers = ['aws', 'digitalocean', 'linode', 'hetzner'];
  const parts = [
    '(set "env" (env "CLUSTER_ENV" "production"))',
    '(cluster',
    '  (metadata (name (concat "big-" env)) (environment env) (labels (team "platform")))',
    '  (providers',
    '    (aws (region (env "AWS_REGION" "us-east-1")) (vpc (cidr "10.0.0.0/16")))',
    '    (digitalocean (region "nyc3"))',
    '    (linode (region "us-east"))',
    '    (hetzner (location "fsn1")))',
    '  (network (wireguard (subnet-cidr "10.8.0.0/18")))',
    '  (security (bastion (provider aws) (size "t3.micro") (allowed-cidrs "203.0.113.7/32")))',
    '  (node-pools',
    '    (masters (provider aws) (count 3) (size "t3.large"))',
  ];
  for (let i = 1; i < POOLS; i++) {
    parts.push(
      `    (pool-${i}`,
      `      (name (format "pool-%04d" ${i}))`,
      `      (provider ${providers[i % providers.length]})`,
      `      (count (let ((base ${i % 7})) (+ base 1)))`,
      `      (roles worker)`,
      `      (size (default (env "SIZE_${i}") "t3.large"))`,
      `      (labels (tier "gold") (index (to-string ${i})))`,
      `      (taints (taint "dedicated" (if (eq (mod ${i} 2) 0) "batch" "web") NoSchedule))`,
      `      (when (eq env "production") (image "ubuntu-24.04")))`,
    );
  }
  parts.push('  )', '  (kubernetes (distribution rke2) (version "v1.33.5+rke2r1") (tls-san "api.example.com")))');
  return parts.join('\n');
}

if (import.meta.main) {
  const text = generate();
  const env = { CLUSTER_ENV: 'production' };

  function once(): { ms: number; nodes: number } {
    const start = performance.now();
    const { config } = loadConfigText(text, 'big.lisp', { env });
    const ms = performance.now() - start;
    let nodes = 0;
    for (const p of Object.values(config.nodePools)) nodes += p.count;
    return { ms, nodes };
  }

  // The first run in a fresh process is cold (JIT); then warm up before measuring.
  function warmUp(): number {
    try {
      const first = once().ms;
      for (let i = 0; i < 2; i++) once();
      return first;
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(err.display.split('\n').slice(0, 20).join('\n'));
        process.exit(1);
      }
      throw err;
    }
  }
  const cold = warmUp();
  const times: number[] = [];
  let nodes = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = once();
    times.push(r.ms);
    nodes = r.nodes;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p90 = times[Math.floor(times.length * 0.9)]!;
  console.log(
    `config-2000-pools: ${POOLS} pools, ${nodes} nodes, ${(text.length / 1024).toFixed(0)} KiB of Lisp\n` +
      `  read + evaluate + decode + validate: median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms over ${RUNS} warm runs\n` +
      `  first run in this process (cold): ${cold.toFixed(1)} ms\n` +
      `  target: < ${TARGET_MS} ms — ${median < TARGET_MS ? 'met' : 'MISSED'}`,
  );
}
