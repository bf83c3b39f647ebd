// Writes docs/configuration.md from the schema: `node src/config/gen-docs.ts`.
// docs.test.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigurationDoc } from './docs.ts';

export const DOC_PATH = join(import.meta.dirname, '../../docs/configuration.md');

if (import.meta.main) {
  writeFileSync(DOC_PATH, renderConfigurationDoc());
  console.log(`wrote ${DOC_PATH}`);
}
