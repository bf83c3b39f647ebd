// The registry as the stack stands now: a manifest recorded as applied whose step the stack
// no longer holds, or holds with other content, is out_of_sync (state surgery, an import, or
// a targeted run changed it). The stored content is read the way the deploy recorder read it
// when registering (`storedFile`), so an untouched step always matches. Comparing with the
// objects live in the cluster is `manifests diff --live` (src/ops/manifests-live.ts).
import { COMMAND_TYPE } from '../cluster/remote/package.ts';
import { contentHash, setStatus } from '../manifests/index.ts';
import type { Registry } from '../manifests/index.ts';
import type { Deployment } from '../state/index.ts';
import { storedFile } from './collect-manifests.ts';

export function reconcile(reg: Registry, d: Deployment): Registry {
  const steps = new Map(d.resources.filter((r) => !r.delete && r.type === COMMAND_TYPE).map((r) => [r.urn.slice(r.urn.lastIndexOf('::') + 2), r]));
  const now = new Date();
  for (const m of Object.values(reg.manifests)) {
    if (m.status !== 'applied' || !m.metadata.step) continue;
    const step = steps.get(m.metadata.step);
    if (!step) {
      setStatus(reg, m.id, 'out_of_sync', now);
      continue;
    }
    if (!m.metadata.path) continue;
    const content = storedFile(step, m.metadata.path);
    if (content === undefined || contentHash(content) !== m.hash) setStatus(reg, m.id, 'out_of_sync', now);
  }
  return reg;
}
