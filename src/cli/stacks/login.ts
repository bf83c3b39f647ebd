// login [url] [--local] [--endpoint HOST] [--region R]: choose the backend, prove it is
// reachable and writable (write, read back, delete a probe object), then save
// PULUMI_BACKEND_URL — and only that — in ~/.sloth-kubernetes/config (0600).
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { openBlobStore, parseBackendUrl, settingsPath, writeSetting, DEFAULT_BACKEND_URL } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { homeOf } from '../stack-context.ts';
import { effectiveEnv } from '../../state/index.ts';

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
  const home = homeOf(io);
  const spec = parseBackendUrl(target, { homedir: home, cwd: io.cwd });
  // A relative file:// path is saved absolute: the next command may run elsewhere.
  if (spec.scheme === 'file' && !/^file:\/\/(~|\/)/.test(target)) target = `file://${spec.root}`;
  if (spec.scheme === 'file') await mkdir(spec.root, { recursive: true, mode: 0o700 });
  const blob = await openBlobStore(spec, await effectiveEnv(io.env, home));
  try {
    const probe = `.pulumi/.sloth-login-probe-${randomUUID()}`;
    const body = `sloth-kubernetes login check ${new Date().toISOString()}`;
    await blob.put(probe, body);
    const back = await blob.get(probe);
    await blob.delete(probe);
    if (!back || back.toString('utf8') !== body) throw new CliError(`the backend ${target} did not return what was written to it; not logged in`);
    const atomic = await blob.exclusiveCreateIsAtomic();
    const path = await writeSetting(home, 'PULUMI_BACKEND_URL', target);
    io.stdout.write(`✓ Logged in to ${target}\nSaved as PULUMI_BACKEND_URL in ${path}\n`);
    if (!atomic) {
      io.stderr.write('note: this S3 server ignores conditional writes (If-None-Match); stack locks fall back to write-then-list.\n');
    }
    if (io.env.PULUMI_BACKEND_URL && io.env.PULUMI_BACKEND_URL !== target) {
      io.stderr.write(`warning: PULUMI_BACKEND_URL is set in your environment (${io.env.PULUMI_BACKEND_URL}) and takes precedence over ${settingsPath(home)}.\n`);
    }
  } finally {
    blob.close();
  }
}
