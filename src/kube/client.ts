// The Kubernetes API as this tool reaches it: @kubernetes/client-node configured from a
// kubeconfig document (never from files or the environment), every request bounded in time
// and stoppable through an AbortSignal, and every failure turned into one KubeApiError whose
// kind says what to tell the user (the API cannot be reached, refused the credential, …).
// Raw GETs (health endpoints, the serving certificate) go through node:https with the same
// credentials.
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ApiException, CoreV1Api, createConfiguration, KubeConfig, ServerConfiguration } from '@kubernetes/client-node';
import type { RequestContext, ResponseContext } from '@kubernetes/client-node';

export type KubeErrorKind = 'unreachable' | 'timeout' | 'tls' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'too-many-requests' | 'rejected' | 'server';

export class KubeApiError extends Error {
  readonly kind: KubeErrorKind;
  /** The HTTP status, when the API answered. */
  readonly status?: number;
  constructor(kind: KubeErrorKind, message: string, status?: number) {
    super(message);
    this.name = 'KubeApiError';
    this.kind = kind;
    this.status = status;
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function causeCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function statusKind(status: number): KubeErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'too-many-requests';
  if (status >= 400 && status < 500) return 'rejected';
  return 'server';
}

/** The API server's message in an error body (a metav1.Status), else a short excerpt. */
function statusMessage(body: unknown): string {
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | null;
    if (parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return typeof body === 'string' ? body.slice(0, 200) : '';
}

/** Any failure of a request as a KubeApiError; `what` says what was being done. */
export function kubeError(err: unknown, what: string, server: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof ApiException) {
    const message = statusMessage(err.body);
    return new KubeApiError(statusKind(err.code), `${what}: ${message || `HTTP ${err.code}`}`, err.code);
  }
  const e = err as Error;
  if (e?.name === 'TimeoutError') return new KubeApiError('timeout', `${what}: the Kubernetes API at ${server} did not answer in time`);
  if (e?.name === 'AbortError') return new KubeApiError('timeout', `${what}: stopped`);
  const code = causeCode(err);
  if (code && NETWORK_CODES.has(code)) return new KubeApiError('unreachable', `cannot reach the Kubernetes API at ${server} (${code})`);
  if (code && /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_(GET|VERIFY)|ERR_TLS|SSL/.test(code)) return new KubeApiError('tls', `the Kubernetes API at ${server} failed TLS verification (${code})`);
  return new KubeApiError('unreachable', `${what}: ${e?.message ?? String(err)}${code ? ` (${code})` : ''}`);
}

export interface KubeClient {
  server: string;
  core: CoreV1Api;
  /** Runs one API call, turning its failure into a KubeApiError. */
  call<T>(what: string, body: () => Promise<T>): Promise<T>;
  /** GET of a path (`/readyz?verbose`): the status and body, and the server's certificate. */
  get(path: string): Promise<{ status: number; body: string; certificate?: { validTo: Date } }>;
}

export interface ClientOptions {
  /** Per request. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A client for the current context of the kubeconfig `text`. */
export function kubeClient(text: string, opts: ClientOptions): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeApiError('rejected', 'the kubeconfig names no current cluster');
  const server = cluster.server;
  const signal = () => (opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs));
  const config = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx: RequestContext) => {
          ctx.setSignal(signal());
          return ctx;
        },
        post: async (res: ResponseContext) => res,
      },
    ],
  });
  return {
    server,
    core: new CoreV1Api(config),
    async call(what, body) {
      try {
        return await body();
      } catch (err) {
        throw kubeError(err, what, server);
      }
    },
    async get(path) {
      const options: Parameters<typeof request>[1] = { method: 'GET', signal: signal() };
      await kc.applyToHTTPSOptions(options);
      return new Promise((resolve, reject) => {
        const req = request(new URL(path, server), options, (res) => {
          const cert = (res.socket as TLSSocket).getPeerCertificate?.();
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(cert?.valid_to ? { certificate: { validTo: new Date(cert.valid_to) } } : {}),
            }),
          );
          res.on('error', (err) => reject(kubeError(err, `GET ${path}`, server)));
        });
        req.on('error', (err) => reject(kubeError(err, `GET ${path}`, server)));
        req.end();
      });
    },
  };
}
