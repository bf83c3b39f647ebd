// A child process that deploys a crash-test graph with the real engine against a real
// file-backend stack, for the crash test to SIGKILL at random moments. Prints one JSON line
// with the result. Usage:
//   node test/provider/crash-child.ts <backendDir> <stack> <cloudDir> <variant> [latencyMs] [parallel]
// The passphrase comes from PULUMI_CONFIG_PASSPHRASE.
import { openStateStore } from '../../src/state/index.ts';
import { deploy, ProviderRegistry } from '../../src/engine/index.ts';
import { testProvider } from './test-provider.ts';
import { crashGraph, CRASH_GRAPH_SIZE } from './graphs.ts';

const [backendDir, stackName, cloudDir, variantArg, latencyArg, parallelArg] = process.argv.slice(2);
if (!backendDir || !stackName || !cloudDir || variantArg === undefined) {
  console.error('usage: crash-child.ts <backendDir> <stack> <cloudDir> <variant> [latencyMs] [parallel]');
  process.exit(2);
}
const env = { ...process.env };
const store = await openStateStore({ env, homedir: backendDir, cwd: backendDir, backendUrl: `file://${backendDir}` });
try {
  const stack = await store.openStack(stackName, { passphrase: async () => env.PULUMI_CONFIG_PASSPHRASE });
  const registry = new ProviderRegistry().register(testProvider({ dir: cloudDir, latencyMs: Number(latencyArg ?? 2), jitterMs: Number(latencyArg ?? 2) }));
  const desired = crashGraph(stackName, CRASH_GRAPH_SIZE, Number(variantArg)).build();
  // Tells the parent the deploy is about to start, so its kill lands inside the deploy.
  process.stdout.write('started\n');
  const result = await deploy(stack, desired, { registry, env, parallel: Number(parallelArg ?? 8), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  process.stdout.write(`${JSON.stringify({ result: result.result, changes: result.changes, failures: result.failures })}\n`);
  process.exitCode = result.result === 'succeeded' ? 0 : 1;
} finally {
  store.close();
}
