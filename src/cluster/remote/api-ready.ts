// "The API answers through the load balancer", checked from where the user stands: the
// machine running sloth calls GET /readyz on the server the kubeconfig names (the load
// balancer, the API domain or the API node), verifying the server against the cluster CA
// and authenticating with the kubeconfig's client certificate, until it answers 200 or the
// time is up. The failure says what it last saw.
import { request } from 'node:https';
import { parse } from 'yaml';

export class ApiNotReadyError extends Error {
  override readonly name = 'ApiNotReadyError';
}

interface KubeconfigParts {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

const b64 = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64') : undefined);

/** The current context's server and credentials (inline data only, as RKE2/K3s write them). */
export function kubeconfigParts(text: string): KubeconfigParts {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new ApiNotReadyError('the kubeconfig is empty or not YAML');
  const named = <T>(list: unknown, name: unknown, field: string): T | undefined =>
    (Array.isArray(list) ? list : []).find((e: Record<string, unknown>) => e['name'] === name)?.[field] as T | undefined;
  const contexts = doc['contexts'];
  const current = doc['current-context'] ?? (Array.isArray(contexts) ? (contexts[0] as Record<string, unknown>)?.['name'] : undefined);
  const context = named<Record<string, unknown>>(contexts, current, 'context');
  const cluster = named<Record<string, unknown>>(doc['clusters'], context?.['cluster'], 'cluster');
  const user = named<Record<string, unknown>>(doc['users'], context?.['user'], 'user') ?? {};
  const server = cluster?.['server'];
  if (typeof server !== 'string') throw new ApiNotReadyError('the kubeconfig names no server for its current context');
  return {
    server,
    ca: b64(cluster?.['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
    token: typeof user['token'] === 'string' ? user['token'] : undefined,
  };
}

function readyz(parts: KubeconfigParts, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL('/readyz', parts.server);
    const req = request(
      url,
      {
        method: 'GET',
        ca: parts.ca,
        cert: parts.cert,
        key: parts.key,
        headers: parts.token ? { authorization: `Bearer ${parts.token}` } : {},
        timeout: timeoutMs,
        signal,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body = (body + d).slice(0, 2000)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until /readyz answers 200; throws ApiNotReadyError with the last answer or error. */
export async function waitForApi(kubeconfig: string, opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; onProgress?: (line: string) => void }): Promise<{ server: string; attempts: number }> {
  const parts = kubeconfigParts(kubeconfig);
  const deadline = Date.now() + opts.timeoutMs;
  let last: string;
  let attempts = 0;
  while (true) {
    attempts++;
    try {
      const { status, body } = await readyz(parts, Math.min(10_000, Math.max(1000, deadline - Date.now())), opts.signal);
      if (status === 200) return { server: parts.server, attempts };
      last = `HTTP ${status}: ${body.trim().split('\n').slice(-3).join(' | ')}`;
    } catch (err) {
      if (opts.signal?.aborted) throw new ApiNotReadyError(`waiting for ${parts.server} was aborted`);
      last = (err as Error).message;
    }
    opts.onProgress?.(`${parts.server}/readyz: ${last}`);
    if (Date.now() + (opts.intervalMs ?? 5000) > deadline) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 5000));
  }
  throw new ApiNotReadyError(`the Kubernetes API at ${parts.server} did not answer ready within ${Math.round(opts.timeoutMs / 1000)}s (last: ${last})`);
}
