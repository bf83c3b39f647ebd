// The CLI as a real process with the simulated cloud registered for the planner's packages
// (aws, digitalocean, linode, hcloud, sloth). The cloud directory comes from SLOTH_SIM_CLOUD.
// Usage: node test/provider/simulated-cli.ts <sloth-kubernetes arguments…>
import { processIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { registerSimulatedClouds } from './simulated-cloud.ts';

registerSimulatedClouds();
process.exitCode = await runCli(process.argv.slice(2), processIO());
