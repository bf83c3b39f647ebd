// `kubectl [stack] [--] ARGS…`: the real kubectl against a stack's cluster.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';

export function register(program: Command, io: CliIO): void {
  const cmd = program
    .command('kubectl')
    .argument('[args...]', "the stack, then kubectl's arguments")
    .usage('[stack] [--] ARGS...')
    .description("run kubectl against a stack's cluster (a temporary kubeconfig, removed when kubectl ends)")
    .allowUnknownOption()
    .helpOption(false)
    .addHelpText(
      'after',
      [
        '',
        "Without a stack name, the backend's only stack. kubectl's exit status is passed through;",
        "Ctrl-C and other signals reach kubectl. Put kubectl's arguments after -- when they include",
        "-v or --verbose (otherwise this tool's own --verbose takes them).",
        '',
        'kubectl is $SLOTH_KUBECTL, else the first on PATH; when there is none, the exit status is 127.',
        '',
        'Examples:',
        '  sloth-kubernetes kubectl prod get nodes',
        '  sloth-kubernetes kubectl prod -- logs -f deploy/web -n shop',
        '  sloth-kubernetes kubectl get pods -A          (the only stack)',
      ].join('\n'),
    )
    .action(async (args: string[]) => {
      if (args.length === 0 || (args.length === 1 && ['-h', '--help'].includes(args[0]!))) {
        cmd.outputHelp();
        return;
      }
      const { kubectlCommand } = await import('../cluster/kubectl.ts');
      await kubectlCommand(io, args);
    });
}
