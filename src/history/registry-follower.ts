// After a destroy or refresh: the registry follows the stack. Manifests whose step is gone
// from the stack are `deleted` after a destroy; after a refresh, applied manifests the stack
// no longer records as applied are `out_of_sync`.
import type { AuditSession } from '../audit/index.ts';
import { ManifestStore, setStatus } from '../manifests/index.ts';
import { reconcile } from './reconcile.ts';
import type { UpdateRecorder } from './recorder.ts';

export function registryFollower(kind: 'destroy' | 'refresh', session: AuditSession): UpdateRecorder {
  return {
    async beforeFinish(ctx) {
      const store = new ManifestStore(ctx.stack.attachments);
      if (!ctx.stack.attachments.canSeal) return;
      const reg = await store.load();
      if (Object.keys(reg.manifests).length === 0) return;
      const before = new Map(Object.values(reg.manifests).map((m) => [m.id, m.status]));
      const now = new Date();
      if (kind === 'destroy') {
        const steps = new Set(ctx.update.deployment.resources.filter((r) => !r.delete).map((r) => r.urn.slice(r.urn.lastIndexOf('::') + 2)));
        for (const m of Object.values(reg.manifests)) if (m.status !== 'deleted' && m.metadata.step && !steps.has(m.metadata.step)) setStatus(reg, m.id, 'deleted', now);
      } else {
        reconcile(reg, ctx.update.deployment);
      }
      let changed = false;
      for (const m of Object.values(reg.manifests)) {
        const was = before.get(m.id);
        if (was === m.status) continue;
        changed = true;
        session.event({
          type: 'manifest',
          action: m.status === 'deleted' ? 'delete' : 'validate',
          severity: m.status === 'out_of_sync' ? 'warning' : 'info',
          resourceId: m.id,
          resourceType: m.type,
          description: `Manifest ${m.id} ${m.version}: ${was} → ${m.status}`,
          oldValue: { status: was ?? null },
          newValue: { status: m.status },
        });
      }
      if (changed) await store.save(reg);
    },
  };
}
