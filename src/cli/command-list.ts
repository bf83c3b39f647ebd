// The modules of ./commands/, found by listing the folder, so adding a command touches no
// shared file. The single executable has no folder to list: its bundle replaces this file
// with static imports of the same files (scripts/build-exe.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from './program.ts';

export async function commandModules(): Promise<CommandModule[]> {
  const dir = join(import.meta.dirname, 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !/\.(test|d)\.(ts|js)$/.test(f))
    .sort();
  return (await Promise.all(files.map((f) => import(join(dir, f))))) as CommandModule[];
}
