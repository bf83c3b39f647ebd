// login [url] [--local] [--endpoint HOST] [--region R]: the flags make the backend URL; the
// ops layer proves it reachable and writable and saves it (src/ops/login.ts).
import { login as save } from '../../ops/login.ts';
import { DEFAULT_BACKEND_URL } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function login(io: CliIO, url: string | undefined, opts: { local?: boolean; endpoint?: string; region?: string }): Promise<void> {
  if (opts.local && url) throw new CliError('give either a URL or --local, not both');
  let target = opts.local ? DEFAULT_BACKEND_URL : url;
  if (!target) throw new CliError('name the backend to log in to', { hint: `${io.programName} login s3://BUCKET?region=REGION | file://PATH | --local` });
  if (opts.endpoint || opts.region) {
    if (!target.startsWith('s3://')) throw new CliError('--endpoint and --region apply to s3:// backends only');
    const [base, query = ''] = target.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    if (opts.region) params.set('region', opts.region);
    if (opts.endpoint) {
      params.set('endpoint', opts.endpoint);
      if (!params.has('s3ForcePathStyle') && !params.has('use_path_style')) params.set('s3ForcePathStyle', 'true');
      if (opts.endpoint.startsWith('http://') && !params.has('disableSSL') && !params.has('disable_https')) params.set('disableSSL', 'true');
    }
    target = `${base}?${params.toString()}`;
  }
  const done = await withCli(io, {}, (ctx) => save(ctx, { url: target }));
  io.stdout.write(`✓ Logged in to ${done.url}\nSaved as PULUMI_BACKEND_URL in ${done.settings}\n`);
}
