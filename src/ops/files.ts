// Files a use case writes for its caller.
import { open } from 'node:fs/promises';

/** Writes `text` to `path` with mode 0600 from the first byte: it may hold credentials. */
export async function writePrivate(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}
