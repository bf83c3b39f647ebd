// The CLI bundled by esbuild: one CommonJS file for the single executable
// (scripts/build-exe.ts), the sources seen as a bundle must see them (`fromTheSources`).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions, Plugin } from 'esbuild';

export const root = join(import.meta.dirname, '..');
const COMMANDS = join(root, 'src', 'cli', 'commands');
const UI = join(root, 'src', 'server', 'ui');

/**
 * What a bundle changes in the sources: what they find in their own folder at run time is
 * written in at build time (the command modules listed, the web UI's files read), and a lazy
 * `createRequire(import.meta.url)(x)` becomes a bundled `require(x)`, still evaluated on
 * first use.
 */
const fromTheSources: Plugin = {
  name: 'sloth-bundle',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]command-list\.ts$/ }, () => {
      const files = readdirSync(COMMANDS).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
      const imports = files.map((f, i) => `import * as c${i} from './commands/${f}';`).join('\n');
      return { loader: 'ts', resolveDir: join(root, 'src', 'cli'), contents: `${imports}\nexport async function commandModules() { return [${files.map((_, i) => `c${i}`).join(', ')}]; }\n` };
    });
    b.onLoad({ filter: /[\\/]src[\\/]server[\\/]ui-files\.ts$/ }, () => {
      const files = Object.fromEntries(readdirSync(UI).sort().map((f) => [f, readFileSync(join(UI, f), 'utf8')]));
      return {
        loader: 'ts',
        watchFiles: Object.keys(files).map((f) => join(UI, f)),
        contents: `const files: Record<string, string> = ${JSON.stringify(files)};\nexport async function uiFile(name: string): Promise<Buffer | undefined> { return Object.hasOwn(files, name) ? Buffer.from(files[name]!, 'utf8') : undefined; }\n`,
      };
    });
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('createRequire(import.meta.url)(')) return undefined;
      return { loader: 'ts', contents: text.replaceAll('createRequire(import.meta.url)(', 'require(') };
    });
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  // Less source to load at every start; names kept (errors and classes are named).
  minify: true,
  keepNames: true,
  legalComments: 'eof',
  // ssh2's optional native speed-ups: its pure-JavaScript code runs when they cannot load.
  external: ['*.node'],
  plugins: [fromTheSources],
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * The single executable's form: `entry` and all it imports in one CommonJS file (what a
 * single-executable blob takes in Node 24), the commit written in, in ASCII (the executable
 * reads it as Latin-1, with no UTF-8 decoding).
 */
export async function bundleFile(outfile: string, commit: string, entry: string): Promise<void> {
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    // `import('node:http')` and the like become `require`: a script compiled by node:vm has no
    // module loader of its own (src/cli/bundle-script.ts).
    supported: { 'dynamic-import': false },
    // The sources' folder (version-info's git look-up) is not there.
    define: { SLOTH_BUILD_COMMIT: JSON.stringify(commit), 'import.meta.dirname': 'undefined' },
  });
  // esbuild escapes what is not ASCII except in regular expressions and comments; escaped
  // there too (`\uXXXX` means the same in both).
  const text = readFileSync(outfile, 'utf8');
  writeFileSync(outfile, text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
