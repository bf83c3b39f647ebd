// How long the tests' Kubernetes control plane takes to come up: startKubeApi() from the first
// openssl call (certificates) and etcd's spawn to kube-apiserver's /readyz answering 200,
// five times in a row; and its stop. Needs the peers of scripts/test-peers.
import { kubeApiMissing, startKubeApi } from '../test/helpers/kube.ts';

const why = kubeApiMissing();
if (why) {
  console.error(why);
  process.exit(1);
}
const ready: number[] = [];
const stops: number[] = [];
for (let i = 0; i < 5; i++) {
  const api = await startKubeApi();
  ready.push(api.readyMs);
  const t = Date.now();
  await api.stop();
  stops.push(Date.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`kube-api-ready: start to ready median ${median(ready)} ms (min ${Math.min(...ready)}, max ${Math.max(...ready)}); stop median ${median(stops)} ms`);
