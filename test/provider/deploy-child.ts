// Runs the CLI's deploy flow (engine-run.ts) in a real process with the test provider, so a
// test can send it real signals. Usage: node test/provider/deploy-child.ts <stack> <count> <latencyMs>
// The backend, passphrase and test cloud come from the environment (see cli-env.ts).
import { processIO } from '../../src/cli/io.ts';
import { reportError } from '../../src/cli/errors.ts';
import { registerProviderPackage, runDeploy } from '../../src/cli/engine-run.ts';
import { DesiredGraph } from '../../src/engine/index.ts';
import { testProvider } from './test-provider.ts';

const [stack = 'dev', count = '10', latency = '100'] = process.argv.slice(2);
registerProviderPackage('test', () => testProvider());
const io = processIO();
try {
  await runDeploy(io, stack, { yes: true, parallel: 2 }, () => {
    const g = new DesiredGraph(stack);
    const p = g.provider('test', 'slow', { latencyMs: Number(latency) });
    for (let i = 0; i < Number(count); i++) g.resource('test:index:Thing', `w${i}`, { i }, { provider: p });
    return g.build();
  });
} catch (err) {
  process.exitCode = reportError(err, (s) => io.stderr.write(s), false);
}
