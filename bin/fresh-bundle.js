// Whether a folder bundle (scripts/bundle.ts: the launcher's dist/cli/) still matches the
// sources it was made from: each file has the size and modification time its sources.json
// recorded, and no file was added to or removed from a folder it lists (the commands, the web
// UI). An edited source then runs as it is now.
// Plain JavaScript, as the launcher that imports it.
import { readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** True if `dir` holds a bundle made from the sources under `root` as they are now. */
export function freshBundle(root, dir) {
  try {
    const { files, dirs } = JSON.parse(readFileSync(join(dir, 'sources.json'), 'utf8'));
    // ~400 files: a plain loop over string paths keeps this to a few milliseconds.
    const base = root + sep;
    for (const file in files) {
      const s = statSync(base + file);
      if (s.mtimeMs !== files[file][1] || s.size !== files[file][0]) return false;
    }
    for (const d in dirs) if (statSync(base + d).mtimeMs !== dirs[d]) return false;
    return true;
  } catch {
    return false;
  }
}
