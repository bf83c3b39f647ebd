// The registry as the stack stands now: a manifest recorded as applied whose step the stack
// no longer holds, or holds with other content, is out_of_sync (state surgery, an import, or
// a targeted run changed it). Comparing with the object live in the cluster needs the
// Kubernetes API, which sloth-kubernetes does not have yet.
import { setStatus } from '../../manifests/index.ts';
import type { Registry } from '../../manifests/index.ts';
import { contentHash } from '../../manifests/index.ts';
import type { Deployment } from '../../state/index.ts';
import { reveal } from '../history/reveal.ts';

const PLACEHOLDER = /\{\{sloth:([a-z0-9][a-z0-9._-]*)\}\}/g;

export function reconcile(reg: Registry, d: Deployment): Registry {
  const steps = new Map(d.resources.filter((r) => !r.delete && r.type === 'sloth:remote:Command').map((r) => [r.urn.slice(r.urn.lastIndexOf('::') + 2), r]));
  const now = new Date();
  for (const m of Object.values(reg.manifests)) {
    if (m.status !== 'applied' || !m.metadata.step) continue;
    const step = steps.get(m.metadata.step);
    if (!step) {
      setStatus(reg, m.id, 'out_of_sync', now);
      continue;
    }
    if (!m.metadata.path) continue;
    const vars = (reveal(step.inputs?.vars) as Record<string, unknown> | undefined) ?? {};
    const files = (reveal(step.inputs?.files) as { path: string; content: string }[] | undefined) ?? [];
    const file = files.find((f) => f.path === m.metadata.path);
    const content = file ? String(file.content).replace(PLACEHOLDER, (w, n: string) => (vars[n] !== undefined ? String(vars[n]) : w)) : undefined;
    if (content === undefined || contentHash(content) !== m.hash) setStatus(reg, m.id, 'out_of_sync', now);
  }
  return reg;
}
