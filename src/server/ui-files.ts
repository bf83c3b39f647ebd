// The web UI's files (./ui/), read from this folder. A bundle has no such folder beside it
// (the single executable's, the launcher's in dist/cli/): scripts/bundle.ts replaces this
// module there with one holding the files' contents.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file `name` of the UI (a plain file name: app.ts checks it), or undefined if there is none. */
export async function uiFile(name: string): Promise<Buffer | undefined> {
  return readFile(join(import.meta.dirname, 'ui', name)).catch(() => undefined);
}
