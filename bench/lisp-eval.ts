// Reading and evaluating a generated cluster file with 2,000 node pools, each using
// built-ins (env, concat, format, if, default, let, when). The architecture's budget for
// evaluate + validate of such a file is 200 ms; this measures the language's share (read +
// evaluate, schema-less), plus the key-position path the config decoder drives
// (expandSection over every section, evalValue/evalBareword over every value).
import { Interpreter, read } from '../src/lisp/index.ts';
import type { Node, Scope } from '../src/lisp/index.ts';

const POOLS = 2000;

function generate(): string {
  const parts = ['(set "env" (env "CLUSTER_ENV" "production"))', '(cluster', '  (metadata (name (concat "big-" env)) (environment env))', '  (node-pools'];
  for (let i = 0; i < POOLS; i++) {
    parts.push(
      `    (pool-${i}`,
      `      (name (format "pool-%04d" ${i}))`,
      `      (provider (if (eq (mod ${i} 3) 0) "aws" "hetzner"))`,
      `      (region (env "REGION_${i}" "us-east-1"))`,
      `      (count (let ((base ${i % 7})) (+ base 1)))`,
      `      (roles ${i < 3 ? 'master etcd' : 'worker'})`,
      `      (size (default (env "SIZE_${i}") "t3.large"))`,
      `      (labels (tier "gold") (index (to-string ${i})))`,
      `      (when (eq env "production") (spot-instance false)))`,
    );
  }
  parts.push('  ))');
  return parts.join('\n');
}

const text = generate();
const env = { CLUSTER_ENV: 'production' };

function readAndEvaluate(): number {
  const interp = new Interpreter({ env, baseDir: '/tmp' });
  return interp.evalProgram(read(text, 'big.lisp')).length;
}

// Walks every section as the decoder does: each child of a section is in key position
// (expandSection); a key whose children are all values is a leaf, evaluated value by value.
function decodeLike(): number {
  const interp = new Interpreter({ env, baseDir: '/tmp' });
  const nodes = read(text, 'big.lisp');
  let values = 0;
  const isSection = (n: Node) => n.kind === 'list' && n.items[0]?.kind === 'symbol' && !interp.isBuiltin(n.items[0].name);
  const isKey = (name: string) => !interp.isBuiltin(name) || name === 'name';
  const walk = (section: Node, scope: Scope): void => {
    if (section.kind !== 'list') return;
    for (const child of section.items.slice(1)) {
      for (const entry of interp.expandSection(child, scope, isKey)) {
        const items = entry.node.kind === 'list' ? entry.node.items.slice(1) : [];
        if (items.some(isSection)) walk(entry.node, entry.scope);
        else
          for (const v of items) {
            interp.evalBareword(v, entry.scope);
            values++;
          }
      }
    }
  };
  interp.evalValue(nodes[0]!, interp.globals);
  walk(nodes[1]!, interp.globals);
  return values;
}

function measure(label: string, run: () => number, rounds = 30): number {
  for (let i = 0; i < 5; i++) run(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${label.padEnd(44)} median ${median.toFixed(1)} ms  (min ${times[0]!.toFixed(1)}, max ${times[times.length - 1]!.toFixed(1)})`);
  return median;
}

console.log(`generated config: ${POOLS} pools, ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines`);
const first = performance.now();
readAndEvaluate();
console.log(`first run (cold JIT)                         ${(performance.now() - first).toFixed(1)} ms`);
measure('read only', () => read(text, 'big.lisp').length);
const full = measure('read + evaluate (schema-less data)', readAndEvaluate);
measure('read + expandSection/evalValue (decoder path)', decodeLike);
console.log(`target: evaluate + validate < 200 ms (docs/architecture.md); language share: ${full < 100 ? 'ok' : 'TOO SLOW'}`);
