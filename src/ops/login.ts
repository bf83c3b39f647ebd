// Choosing the backend: prove it is reachable and writable (write, read back and delete a
// probe object), then save PULUMI_BACKEND_URL — and only that — in ~/.sloth-kubernetes/config
// (0600), where every later command finds it.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { effectiveEnv, openBlobStore, parseBackendUrl, settingsPath, writeSetting } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';

export interface LoggedIn {
  /** The URL saved (a relative file:// path made absolute). */
  url: string;
  /** The settings file written. */
  settings: string;
}

export async function login(ctx: OpsContext, input: { url: string }): Promise<LoggedIn> {
  let target = input.url;
  const spec = parseBackendUrl(target, { homedir: ctx.homedir, cwd: ctx.cwd });
  // A relative file:// path is saved absolute: the next command may run elsewhere.
  if (spec.scheme === 'file' && !/^file:\/\/(~|\/)/.test(target)) target = `file://${spec.root}`;
  if (spec.scheme === 'file') await mkdir(spec.root, { recursive: true, mode: 0o700 });
  const blob = await openBlobStore(spec, await effectiveEnv(ctx.env, ctx.homedir));
  try {
    const probe = `.pulumi/.sloth-login-probe-${randomUUID()}`;
    const body = `sloth-kubernetes login check ${new Date().toISOString()}`;
    await blob.put(probe, body);
    const back = await blob.get(probe);
    await blob.delete(probe);
    if (!back || back.toString('utf8') !== body) throw new OpsError('unavailable', `the backend ${target} did not return what was written to it; not logged in`);
    const atomic = await blob.exclusiveCreateIsAtomic();
    const settings = await writeSetting(ctx.homedir, 'PULUMI_BACKEND_URL', target);
    if (!atomic) ctx.host.notify({ type: 'notice', message: 'note: this S3 server ignores conditional writes (If-None-Match); stack locks fall back to write-then-list.' });
    if (ctx.env.PULUMI_BACKEND_URL && ctx.env.PULUMI_BACKEND_URL !== target) {
      ctx.host.notify({ type: 'warning', message: `PULUMI_BACKEND_URL is set in your environment (${ctx.env.PULUMI_BACKEND_URL}) and takes precedence over ${settingsPath(ctx.homedir)}.` });
    }
    return { url: target, settings };
  } finally {
    blob.close();
  }
}
