// A client of the Salt API (rest_cherrypy) the bootstrap sets up on the master: HTTPS to its
// WireGuard address, trusting exactly the certificate the master made and the stack recorded
// (its SHA-256 fingerprint must match; no other CA counts), `sharedsecret` external auth, one
// lowstate chunk per call.
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';

export type SaltApiErrorKind = 'unreachable' | 'tls' | 'auth' | 'http';

export class SaltApiError extends Error {
  override readonly name = 'SaltApiError';
  readonly kind: SaltApiErrorKind;
  constructor(kind: SaltApiErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface SaltLogin {
  token: string;
  user: string;
  eauth: string;
  /** Unix seconds. */
  expire: number;
  perms: unknown[];
}

export interface Lowstate {
  client: 'local' | 'wheel' | 'runner';
  fun: string;
  tgt?: string;
  tgt_type?: 'glob' | 'list' | 'grain';
  arg?: string[];
  match?: string;
  timeout?: number;
  /** Each minion's answer as { ret, retcode }. */
  full_return?: boolean;
}

export class SaltApi {
  readonly url: URL;
  readonly #certificate: string;
  readonly #fingerprint: string;
  readonly #connectTimeoutMs: number;
  readonly #answerTimeoutMs: number;

  /**
   * `connectTimeoutMs`: until the TLS session is up (an address off the mesh never answers);
   * `answerTimeoutMs`: how long the API may stay silent after that (it answers a job when the
   * minions have finished it: a state apply can take minutes).
   */
  constructor(opts: { url: string; certificate: string; connectTimeoutMs?: number; answerTimeoutMs?: number }) {
    this.url = new URL(opts.url);
    this.#certificate = opts.certificate;
    this.#fingerprint = new X509Certificate(opts.certificate).fingerprint256;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#answerTimeoutMs = opts.answerTimeoutMs ?? 30 * 60_000;
  }

  async login(username: string, password: string, eauth = 'sharedsecret'): Promise<SaltLogin> {
    const body = await this.#post('/login', { username, password, eauth });
    const r = (body as { return?: SaltLogin[] }).return?.[0];
    if (!r?.token) throw new SaltApiError('http', `the Salt API at ${this.url.host} answered the login without a token`);
    return r;
  }

  /** Runs one lowstate chunk; the value of `return[0]`. */
  async run(token: string, chunk: Lowstate): Promise<unknown> {
    const body = await this.#post('/', [chunk], token);
    return (body as { return?: unknown[] }).return?.[0];
  }

  #post(path: string, payload: unknown, token?: string): Promise<unknown> {
    const data = JSON.stringify(payload);
    const where = this.url.host;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port || 443,
          path,
          method: 'POST',
          ca: this.#certificate,
          // The master's own certificate is the only trust anchor; its fingerprint is checked too.
          checkServerIdentity: (_host, cert) => (cert.fingerprint256 === this.#fingerprint ? undefined : new Error(`the Salt API presented certificate ${cert.fingerprint256}, not the pinned ${this.#fingerprint}`)),
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(data), ...(token ? { 'X-Auth-Token': token } : {}) },
          timeout: this.#answerTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 401) return reject(new SaltApiError('auth', `the Salt API at ${where} refused the credentials (401)`));
            if (res.statusCode !== 200) return reject(new SaltApiError('http', `the Salt API at ${where} answered ${res.statusCode}: ${text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)}`));
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new SaltApiError('http', `the Salt API at ${where} answered something that is not JSON`));
            }
          });
        },
      );
      const connecting = setTimeout(() => req.destroy(new SaltApiError('unreachable', `no connection to the Salt API at ${where} within ${Math.round(this.#connectTimeoutMs / 1000)}s`)), this.#connectTimeoutMs);
      req.on('socket', (socket) => (socket.connecting ? socket.once('secureConnect', () => clearTimeout(connecting)) : clearTimeout(connecting)));
      req.on('close', () => clearTimeout(connecting));
      req.on('timeout', () => req.destroy(new SaltApiError('unreachable', `no answer from the Salt API at ${where} within ${Math.round(this.#answerTimeoutMs / 1000)}s`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof SaltApiError) return reject(err);
        if (err.code && /CERT|SSL|TLS|SELF_SIGNED|ERR_TLS/.test(err.code + err.message) || /certificate/.test(err.message)) return reject(new SaltApiError('tls', `the Salt API at ${where} failed the TLS check: ${err.message}`));
        reject(new SaltApiError('unreachable', `cannot reach the Salt API at ${where}: ${err.code ?? err.message}`));
      });
      req.end(data);
    });
  }
}
