// Shell completion. `@bomb.sh/tab` gives the command tree to the shells (zsh, fish, powershell
// scripts, and the `complete -- <words>` protocol they call); here it learns what only we
// know — configuration files after `--config`, stack names where a command takes a stack —
// and bash gets a script of ours that needs bash alone (tab's calls `_get_comp_words_by_ref`,
// which only the bash-completion package defines).
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import tab from '@bomb.sh/tab/commander';
import type { Complete } from '@bomb.sh/tab';
import type { CliIO } from './io.ts';

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'];

/** The bash script: the words before the cursor go to `<program> complete --`, its lines become the candidates. */
export function bashScript(programName: string): string {
  const fn = `_${programName.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  return `# bash completion for ${programName} (bash alone; the bash-completion package is not needed)
${fn}() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" word out line args=()
    # bash splits --config=file at the '=' (a word of its own): the value is completed alone.
    for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do [[ $word == = ]] || args+=("$word"); done
    [[ $cur == = ]] && cur=
    out=$(${programName} complete -- "\${args[@]}" "$cur" 2>/dev/null) || return 0
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -z $line || $line == :* ]] && continue
        line=\${line%%$'\\t'*}
        [[ $line == "$cur"* ]] && COMPREPLY+=("$line")
    done <<< "$out"
    # A directory: no space after it, so the path can go on.
    if [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == */ ]]; then compopt -o nospace 2>/dev/null; fi
    return 0
}
complete -F ${fn} ${programName}
`;
}

/** `*.lisp` files and directories at the path `partial` is typing (relative to `cwd`). */
export function configFiles(cwd: string, partial: string): string[] {
  const dir = partial.slice(0, partial.lastIndexOf('/') + 1);
  const base = partial.slice(dir.length);
  try {
    return readdirSync(resolve(cwd, dir || '.'), { withFileTypes: true })
      .filter((e) => e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
      .flatMap((e) => (e.isDirectory() ? [`${dir}${e.name}/`] : e.name.endsWith('.lisp') ? [`${dir}${e.name}`] : []))
      .sort();
  } catch {
    return [];
  }
}

/** Whether an argument or option of `path` (the command's words) names a stack. */
const namesStack = (path: string, name: string): boolean => name === 'stack' || (name === 'name' && path.startsWith('stacks ') && path !== 'stacks create');

/**
 * Adds the `completion <shell>` and (hidden) `complete` commands to `program`, whose tree must
 * be complete. `stackNames` lists the backend's stacks (asked only when a stack may be next).
 */
export function addCompletion(program: Command, io: CliIO, stackNames: () => Promise<string[]>): void {
  const root = tab(program, { completionCommandName: 'completion' });
  let partial = '';
  let stacks: string[] = [];
  const files = (complete: Complete) => configFiles(io.cwd, partial).forEach((f) => complete(f, ''));
  const names = (complete: Complete) => stacks.forEach((s) => complete(s, 'stack'));
  for (const [path, command] of [['', root] as const, ...root.commands]) {
    for (const option of command.options.values()) {
      if (option.value === 'config') option.handler = files;
      if (option.value === 'stack') option.handler = names;
    }
    for (const argument of command.arguments.values()) if (namesStack(path, argument.name)) argument.handler = names;
  }

  program.commands
    .find((c) => c.name() === 'complete')
    ?.action(async (words: string[]) => {
      const last = words.at(-1) ?? '';
      // --config=<partial> (fish and zsh pass it whole; tab filters on what follows the '=').
      partial = last.startsWith('-') ? last.slice(last.indexOf('=') + 1 || last.length) : last;
      if (!last.startsWith('-') || last.includes('=')) stacks = await Promise.race([stackNames().catch(() => []), new Promise<string[]>((r) => setTimeout(() => r([]), 3000).unref())]);
      root.parse(words);
    });
  program.commands
    .find((c) => c.name() === 'completion')
    ?.description('print a shell completion script (bash, zsh, fish or powershell)')
    .addHelpText(
      'after',
      `\nInstall, for example:\n  ${io.programName} completion bash > ~/.local/share/bash-completion/completions/${io.programName}   (or: source <(${io.programName} completion bash))\n  ${io.programName} completion zsh > "\${fpath[1]}/_${io.programName}"\n  ${io.programName} completion fish > ~/.config/fish/completions/${io.programName}.fish\n`,
    )
    .action((shell: string) => {
      if (shell === 'bash') io.stdout.write(bashScript(io.programName));
      else if (SHELLS.includes(shell)) root.setup(io.programName, io.programName, shell);
    });
}
