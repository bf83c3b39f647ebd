// Pre-flight (seed 003): before a job exists, everything it needs is checked, and every
// problem found is reported at once — no job is created while any remains. The policy
// resolves; the credentials it names exist; the config evaluates and validates in restricted
// mode; the backend answers; the stack exists and is not locked; the stack's passphrase opens
// it; each cloud's credentials pass the provider's identity call.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterConfig } from '../config/index.ts';
import type { CloudToCheck, OpsContext } from '../ops/index.ts';
import type { Jobs } from './context.ts';
import { JobsError } from './errors.ts';
import { resolvePolicy, stepsFor } from './policy.ts';
import { checkGitSource, configHash, fetchGit } from './source.ts';
import { OPERATIONS } from './types.ts';
import type { ConfigSource, JobSpec, Operation } from './types.ts';

/** A request for a job, as the API receives it. */
export interface JobRequest {
  stack: string;
  operation: Operation;
  message?: string;
  /** The config, sent as text (deploy, preview). */
  config?: { text: string; name?: string };
  /** Or the config in a git repository. */
  git?: { url: string; ref: string; path: string };
  /** Credential names; default the stack's. */
  credentials?: string[];
  /** false: deploy machines, networks and DNS only (deploy --no-bootstrap). */
  bootstrap?: boolean;
  operatorCidrs?: string[];
  /** rollback: the deployment or snapshot to go back to. */
  rollbackTo?: string;
}

const NEEDS_CONFIG: readonly Operation[] = ['preview', 'deploy'];
/** Config provider names whose package has another name. */
const PACKAGE_OF: Record<string, string> = { hetzner: 'hcloud' };

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * What a credential check takes from a provider's configuration (the config's block or the
 * stack's provider inputs): its region (Azure's `location`), and the subscription or project
 * the credentials must reach (Azure, GCP). Credentials themselves come from the job's.
 */
export function checkedConfig(c: Record<string, unknown> | undefined): CloudToCheck['config'] {
  const out: CloudToCheck['config'] = {};
  const region = c?.region ?? c?.location;
  if (str(region)) out.region = region;
  for (const k of ['subscriptionId', 'projectId']) if (str(c?.[k])) out[k] = c[k];
  return out;
}

/** Shape checks of the request itself: what is missing or malformed. */
function shapeProblems(r: JobRequest, jobs: Jobs): string[] {
  const p: string[] = [];
  if (!str(r.stack) || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(r.stack)) p.push('stack: a stack name (letters, digits, ".", "_", "-")');
  if (!(OPERATIONS as readonly string[]).includes(r.operation)) p.push(`operation: one of ${OPERATIONS.join(', ')}`);
  const needs = NEEDS_CONFIG.includes(r.operation);
  if (needs && !r.config && !r.git) p.push(`${r.operation} needs a config: "config": {"text": …} or "git": {"url", "ref", "path"}`);
  if (!needs && (r.config || r.git)) p.push(`${r.operation} works on the stack alone; it takes no config`);
  if (r.config && r.git) p.push('give the config as text or from git, not both');
  if (r.config && !str(r.config.text)) p.push('config.text: the Lisp text of the cluster config');
  if (r.git) p.push(...checkGitSource(r.git, jobs.git));
  if (r.operation === 'rollback' && !str(r.rollbackTo)) p.push('rollback needs rollbackTo: the deployment or snapshot id to go back to');
  if (r.operation !== 'rollback' && r.rollbackTo !== undefined) p.push('rollbackTo is for rollback jobs only');
  if (r.credentials !== undefined && (!Array.isArray(r.credentials) || !r.credentials.every(str))) p.push('credentials: a list of credential names');
  if (r.operatorCidrs !== undefined && (!Array.isArray(r.operatorCidrs) || !r.operatorCidrs.every(str))) p.push('operatorCidrs: a list of CIDRs');
  if (r.bootstrap !== undefined && typeof r.bootstrap !== 'boolean') p.push('bootstrap: true or false');
  if (r.message !== undefined && (typeof r.message !== 'string' || r.message.length > 1000)) p.push('message: text of at most 1000 characters');
  return p;
}

/** Loads a config in restricted mode; its problems as "file:line:col: message" lines. */
async function checkConfig(text: string, name: string, jobs: Jobs, env: Record<string, string | undefined>): Promise<{ config?: ClusterConfig; problems: string[] }> {
  const { loadConfigText, ConfigError } = await import('../config/index.ts');
  try {
    const { config } = loadConfigText(text, name, { env, restricted: { allow: jobs.allow } });
    // A key file would be read from the server's own disk.
    if (config.security.ssh.keyPath) return { config, problems: [`${name}: security.ssh key-path names a file on the server's disk, which a job may not read; remove it (a key pair is generated and kept in the stack)`] };
    return { config, problems: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return {
      problems: err.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${name}${d.pos ? `:${d.pos.line}:${d.pos.col}` : ''}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`),
    };
  }
}

export interface Checked {
  spec: JobSpec;
}

/** Runs every check; returns the job's spec, or throws JobsError('preflight') listing every problem. */
export async function preflight(jobs: Jobs, request: JobRequest, actor: string): Promise<Checked> {
  const problems = shapeProblems(request, jobs);
  if (problems.length) throw new JobsError('invalid', `the job request is not valid: ${problems.join('; ')}`, undefined, problems);

  const settings = await jobs.settings.stack(request.stack);
  let policy: JobSpec['policy'] | undefined;
  try {
    policy = resolvePolicy(await jobs.settings.policiesFor(settings));
  } catch (err) {
    problems.push((err as Error).message);
  }
  const names = request.credentials ?? settings.credentials;
  let credentials: JobSpec['credentials'] | undefined;
  try {
    credentials = await jobs.credentials.refs(names);
  } catch (err) {
    if (!(err instanceof JobsError)) throw err;
    problems.push(...err.problems);
  }

  // Credentials as the run will see them: the config's allowed look-ups, the stack's passphrase, each cloud's identity call.
  const env = { ...jobs.baseEnv, ...(credentials ? await jobs.credentials.environment(credentials) : {}) };

  // The config: evaluated in restricted mode.
  let source: ConfigSource | undefined;
  let text: string | undefined;
  if (request.config) {
    source = { kind: 'upload', name: request.config.name && /^[\w.-]{1,100}$/.test(request.config.name) ? request.config.name : 'cluster.lisp' };
    text = request.config.text;
  } else if (request.git) {
    const tmp = await mkdtemp(join(jobs.dataDir, 'preflight-'));
    try {
      const got = await fetchGit(request.git, tmp, jobs.git);
      source = { kind: 'git', ...request.git, commit: got.commit };
      text = got.text;
    } catch (err) {
      if (!(err instanceof JobsError)) throw err;
      problems.push(err.message);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  let config: ClusterConfig | undefined;
  if (text !== undefined && source) {
    const checked = await checkConfig(text, source.kind === 'git' ? source.path : source.name, jobs, env);
    config = checked.config;
    problems.push(...checked.problems);
  }

  // With credentials missing, opening the stack or calling the clouds would only fail for that again.
  if (credentials) problems.push(...(await checkStack(jobs, request, env, config)));

  if (problems.length || !policy || !credentials) throw new JobsError('preflight', `pre-flight found ${problems.length} problem${problems.length === 1 ? '' : 's'}; no job was created`, 'Fix every problem listed, then create the job again.', problems);
  return {
    spec: {
      stack: request.stack,
      operation: request.operation,
      organization: settings.organization,
      environment: settings.environment,
      ...(request.message ? { message: request.message } : {}),
      trigger: { actor, event: 'api' },
      ...(source ? { source } : {}),
      ...(text !== undefined ? { configHash: configHash(text), ...(source?.kind === 'upload' ? { sealedConfig: jobs.key.seal(text) } : {}) } : {}),
      ...(request.bootstrap !== undefined ? { bootstrap: request.bootstrap } : {}),
      ...(request.operatorCidrs ? { operatorCidrs: request.operatorCidrs } : {}),
      ...(request.rollbackTo ? { rollbackTo: request.rollbackTo } : {}),
      policy,
      credentials,
      steps: stepsFor(request.operation, policy),
    },
  };
}

/** Backend reachable, stack there and not locked, passphrase right, cloud credentials valid. */
async function checkStack(jobs: Jobs, request: JobRequest, env: Record<string, string | undefined>, config: ClusterConfig | undefined): Promise<string[]> {
  const ops = await import('../ops/index.ts');
  const ctx: Pick<OpsContext, 'env' | 'cwd' | 'homedir'> = { env, cwd: jobs.dataDir, homedir: jobs.dataDir };
  let store: Awaited<ReturnType<typeof ops.openStore>>;
  try {
    store = await ops.openStore(ctx);
  } catch (err) {
    return [`the state backend cannot be opened: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  try {
    let exists: boolean;
    try {
      exists = await store.stackExists(request.stack);
    } catch (err) {
      return [`the state backend ${store.url} does not answer: ${(err as Error).message}`];
    }
    if (!exists) return [`stack '${request.stack}' does not exist in ${store.url} (create it with: sloth-kubernetes stacks create ${request.stack})`];
    // A lock held by the process running this stack's active job is the queue's own: the new
    // job waits behind that one anyway. Any other holder (a user's CLI) is a problem.
    const active = (await Promise.all((['running', 'awaiting_approval'] as const).map((status) => jobs.jobs.list({ stack: request.stack, status })))).flat();
    const ours = new Set(active.map((j) => j.runner?.split('/').slice(0, 2).join('/')));
    const holders = (await store.locks(request.stack)).filter((h) => !ours.has(`${h.hostname}/${h.pid}`));
    if (holders.length) problems.push(`stack '${request.stack}' is locked by ${holders.map((h) => `${h.username}@${h.hostname} (pid ${h.pid}, since ${h.timestamp})`).join(', ')}; wait for that operation, or release the lock with: sloth-kubernetes stacks cancel ${request.stack}`);
    let clouds: CloudToCheck[] = [];
    try {
      const opened = await store.openStack(request.stack, { passphrase: async () => env.PULUMI_CONFIG_PASSPHRASE });
      clouds = opened.deployment.resources
        .filter((r) => r.type.startsWith('pulumi:providers:'))
        .map((r) => ({ provider: r.type.slice('pulumi:providers:'.length), config: checkedConfig(r.inputs) }));
    } catch (err) {
      problems.push(`stack '${request.stack}' cannot be opened with the job's credentials: ${(err as Error).message}`);
    }
    if (config) {
      clouds = Object.entries(config.providers ?? {})
        .filter(([, p]) => p && (p as { enabled?: boolean }).enabled !== false)
        .map(([name, p]) => ({ provider: PACKAGE_OF[name] ?? name, config: checkedConfig(p as Record<string, unknown>) }));
    }
    // A preview reads only the stack; the other operations call the clouds.
    if (request.operation !== 'preview') {
      const unique = [...new Map(clouds.map((c) => [c.provider, c])).values()].filter((c) => c.provider !== 'sloth');
      problems.push(...(await ops.checkCredentials({ env }, unique)));
    }
  } finally {
    store.close();
  }
  return problems;
}
