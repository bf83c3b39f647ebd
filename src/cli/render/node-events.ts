// Progress lines of a node's cordon, uncordon or drain (the use case's `node` events), on stderr.
import type { DrainEvent } from '../../kube/drain.ts';

const pod = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

/** One line of progress for a node event. */
export function nodeEventLine(e: DrainEvent): string {
  switch (e.type) {
    case 'cordoned':
      return `${e.node} ${e.already ? 'was already cordoned' : 'cordoned'}`;
    case 'uncordoned':
      return `${e.node} ${e.already ? 'was already schedulable' : 'uncordoned'}`;
    case 'pods':
      return `${e.evict.length} pod${e.evict.length === 1 ? '' : 's'} to evict from ${e.node}${e.skipped.length > 0 ? `; left in place: ${e.skipped.map((s) => `${pod(s)} (${s.why})`).join(', ')}` : ''}`;
    case 'evicting':
      return `evicting ${pod(e.pod)}`;
    case 'blocked':
      return `${pod(e.pod)}: ${e.message} — trying again`;
    case 'evicted':
      return `${pod(e.pod)} evicted`;
    case 'gone':
      return `${pod(e.pod)} gone`;
  }
}

