import type { Command } from 'commander';
import type { CliIO } from '../io.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('login [url]')
    .description('choose the state backend (s3://BUCKET, file://PATH or --local) and check that it is writable')
    .option('--local', 'use the local backend file://~ (state in ~/.pulumi)')
    .option('--endpoint <host>', 'S3-compatible endpoint (MinIO, Spaces, B2); implies path-style addressing')
    .option('--region <region>', 'S3 region')
    .addHelpText(
      'after',
      '\nThe URL is saved as PULUMI_BACKEND_URL in ~/.sloth-kubernetes/config (mode 0600). No credential or\n' +
        'passphrase is ever written there: AWS credentials come from the AWS environment variables or profiles.',
    )
    .action(async (url: string | undefined, opts: { local?: boolean; endpoint?: string; region?: string }) => {
      const { login } = await import('../stacks/login.ts');
      await login(io, url, opts);
    });
}
