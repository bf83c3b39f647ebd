// Runs the deploy flow (ops deployGraph, the CLI as its host) in a real process with the test
// provider, so a test can send it real signals. Usage: node test/provider/deploy-child.ts <stack> <count> <latencyMs> [destroy]
// The backend, passphrase and test cloud come from the environment (see cli-env.ts).
import { processIO } from '../../src/cli/io.ts';
import { reportError } from '../../src/cli/errors.ts';
import { withCli } from '../../src/cli/host.ts';
import { deployGraph, destroy, registerProviderPackage } from '../../src/ops/index.ts';
import { DesiredGraph } from '../../src/engine/index.ts';
import { testProvider } from './test-provider.ts';

const [stack = 'dev', count = '10', latency = '100', operation = 'deploy'] = process.argv.slice(2);
registerProviderPackage('test', () => testProvider());
const io = processIO();
try {
  const build = () => {
    const g = new DesiredGraph(stack);
    const p = g.provider('test', 'slow', { latencyMs: Number(latency) });
    for (let i = 0; i < Number(count); i++) g.resource('test:index:Thing', `w${i}`, { i }, { provider: p });
    return g.build();
  };
  // --verbose: a line for every step's start (the signal tests send theirs once a step runs).
  await withCli(io, { yes: true, verbose: true }, (ctx) => (operation === 'destroy' ? destroy(ctx, { stack, parallel: 2 }) : deployGraph(ctx, { stack, build, parallel: 2 })));
} catch (err) {
  process.exitCode = reportError(err, (s) => io.stderr.write(s));
}
