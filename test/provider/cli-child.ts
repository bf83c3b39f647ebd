// One engine command through the CLI's own flow, in a fresh process, for the benchmarks:
// ops previewGraph / deployGraph with the CLI as their host — what `preview` and `deploy` run
// once their flags are parsed (open the stack with the passphrase from the environment and derive
// its key, plan, render the plan, confirm, apply with the event stream rendered, audit) —
// with the test provider's cloud in memory (no external object, like Terraform's
// terraform_data). The desired graph comes from a graph file, the same list of resources and
// dependencies the benchmark writes into main.tf for Terraform:
//   [{ "name": "c0_1", "input": "v-0-1", "after": "c0_0" }, …]   (`after`: the resource it depends on)
// Usage: node test/provider/cli-child.ts <preview|deploy> <stack> <graph.json>
//   env: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, HOME
import { readFileSync } from 'node:fs';
import { processIO } from '../../src/cli/io.ts';
import { withCli } from '../../src/cli/host.ts';
// What the `preview` and `deploy` commands load (ops/cluster.ts, whose graph flow is
// engine-run.ts), not the ops barrel, which loads every use case.
import '../../src/ops/cluster.ts';
import { deployGraph, previewGraph } from '../../src/ops/engine-run.ts';
import { registerProviderPackage } from '../../src/ops/providers.ts';
import { DesiredGraph } from '../../src/engine/index.ts';
import type { ResourceHandle } from '../../src/engine/index.ts';
import { reportError } from '../../src/cli/errors.ts';
import { testProvider } from './test-provider.ts';

export interface GraphEntry {
  name: string;
  input: string;
  after?: string;
}

const [command, stack, file] = process.argv.slice(2);
if ((command !== 'preview' && command !== 'deploy') || !stack || !file) {
  console.error('usage: cli-child.ts <preview|deploy> <stack> <graph.json>');
  process.exit(2);
}
registerProviderPackage('test', () => testProvider({ memory: true }));
const build = () => {
  const g = new DesiredGraph(stack);
  const made = new Map<string, ResourceHandle>();
  for (const r of JSON.parse(readFileSync(file, 'utf8')) as GraphEntry[]) {
    const prev = r.after === undefined ? undefined : made.get(r.after);
    made.set(r.name, g.resource('test:index:Thing', r.name, prev ? { input: r.input, prev: prev.output('arn') } : { input: r.input }));
  }
  return g.build();
};
const io = processIO();
try {
  if (command === 'preview') await withCli(io, {}, (ctx) => previewGraph(ctx, { stack, build }));
  else await withCli(io, { yes: true }, (ctx) => deployGraph(ctx, { stack, build }));
} catch (err) {
  process.exitCode = reportError(err, (s) => io.stderr.write(s));
}
