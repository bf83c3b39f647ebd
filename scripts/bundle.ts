// The CLI bundled by esbuild, in the two forms we ship: one CommonJS file for the single
// executable (scripts/build-exe.ts) and a folder of ES modules for the launcher
// (scripts/build-cli.ts: bin/sloth-kubernetes.js runs it while it matches the sources). Both
// see the sources the same way (`fromTheSources`).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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
      const contents = `const files: Record<string, string> = ${JSON.stringify(files)};\nexport async function uiFile(name: string): Promise<Buffer | undefined> { return Object.hasOwn(files, name) ? Buffer.from(files[name]!, 'utf8') : undefined; }\n`;
      return { loader: 'ts', contents };
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

/** What a folder bundle was made from: each source file's size and modification time; the times of the folders it lists (commands, UI). */
export interface BundleSources {
  files: Record<string, [size: number, mtimeMs: number]>;
  dirs: Record<string, number>;
}

/**
 * The launcher's form: each entry (a path under the repository) an ES module in `outdir` (a
 * folder under the repository, whose node_modules the SDKs left out are loaded from), what
 * they import split into chunks loaded when first imported (a command loads only its own),
 * with `require`, `__filename` and `__dirname` defined for the CommonJS packages inside.
 * Returns what it was made from: our files, and npm's record of node_modules
 * (node_modules/.package-lock.json, rewritten by every install). A file changed while the
 * build ran is recorded as never matching.
 */
export async function bundleFolder(outdir: string, entries: string[]): Promise<BundleSources> {
  const started = Date.now();
  const result = await build({
    ...common,
    entryPoints: entries,
    outdir,
    format: 'esm',
    splitting: true,
    // Left to Node, from node_modules: the AWS and Google Cloud SDKs load faster so (a provider
    // module 150–170 ms against 230–280 bundled for AWS, 210–270 against 320–350 for GCP, with
    // the compile cache); everything else loads faster bundled (Azure's SDK 120 ms against 350,
    // @kubernetes/client-node 115 against 340). So the bundle must sit under the repository.
    external: [...common.external, '@aws-sdk/*', '@google-cloud/*'],
    outExtension: { '.js': '.mjs' },
    metafile: true,
    banner: {
      js: [
        "import { createRequire as __slothRequire } from 'node:module';",
        "import { fileURLToPath as __slothPath } from 'node:url';",
        'const require = __slothRequire(import.meta.url), __filename = __slothPath(import.meta.url), __dirname = import.meta.dirname;',
      ].join(' '),
    },
  });
  const ours = Object.keys(result.metafile.inputs).filter((f) => !f.split('/').includes('node_modules'));
  const npmRecord = join('node_modules', '.package-lock.json');
  const inputs = [...ours, ...readdirSync(UI).map((f) => relative(root, join(UI, f))), ...(existsSync(join(root, npmRecord)) ? [npmRecord] : [])];
  const files: BundleSources['files'] = {};
  for (const f of inputs.sort()) {
    const s = statSync(join(root, f));
    files[f] = s.mtimeMs >= started ? [-1, -1] : [s.size, s.mtimeMs];
  }
  return { files, dirs: Object.fromEntries([COMMANDS, UI].map((d) => [relative(root, d), statSync(d).mtimeMs])) };
}
