// Update history: one `<stack>-<unix-ns>.history.json` (Pulumi's UpdateInfo) and a copy of
// the checkpoint as it stood after that update, per update (STATE-FORMAT.md §1.7).
import type { BlobStore } from './blob/blob-store.ts';
import { keys } from './layout.ts';
import type { HistoryEntry, UpdateKind } from './types.ts';

/** Pulumi names an engine import `resource-import`. */
function pulumiKind(kind: UpdateKind | string): string {
  return kind === 'import' ? 'resource-import' : kind;
}

export function historyJson(entry: HistoryEntry): string {
  return JSON.stringify({
    kind: pulumiKind(entry.kind),
    startTime: entry.startTime,
    endTime: entry.endTime,
    message: entry.message,
    environment: {},
    config: {},
    version: 0,
    result: entry.result,
    resourceChanges: entry.resourceChanges,
  });
}

export interface StoredHistoryEntry extends HistoryEntry {
  key: string;
  /** The checkpoint copy written with this entry. */
  checkpointKey: string;
}

export async function readHistory(blob: BlobStore, stack: string, limit = Infinity): Promise<StoredHistoryEntry[]> {
  const objects = (await blob.list(keys.historyDir(stack)))
    .filter((o) => /\.history\.json(\.gz|\.zst)?$/.test(o.key))
    .sort((a, b) => (a.key < b.key ? 1 : -1));
  const out: StoredHistoryEntry[] = [];
  for (const o of objects.slice(0, Number.isFinite(limit) ? limit : undefined)) {
    const bytes = await blob.get(o.key);
    if (!bytes) continue;
    let e: Partial<HistoryEntry>;
    try {
      e = JSON.parse(bytes.toString('utf8')) as Partial<HistoryEntry>;
    } catch {
      continue; // an unreadable history entry is skipped, as Pulumi's `stack history` does
    }
    out.push({
      kind: e.kind === 'resource-import' ? 'import' : String(e.kind ?? 'update'),
      startTime: Number(e.startTime ?? 0),
      endTime: Number(e.endTime ?? 0),
      message: String(e.message ?? ''),
      result: String(e.result ?? ''),
      resourceChanges: (e.resourceChanges as Record<string, number> | undefined) ?? {},
      key: o.key,
      checkpointKey: o.key.replace(/\.history\.json/, '.checkpoint.json'),
    });
  }
  return out;
}
