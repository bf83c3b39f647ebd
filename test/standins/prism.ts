// `prism proxy SPEC UPSTREAM --errors` as a child process on a free loopback port: every
// request that passes through it and every answer that comes back is validated against the
// provider's OpenAPI contract. Prism reports a broken contract in three ways, all of them
// caught here: a `Violation: …` log line (request or response, errors and warnings alike), a
// `Request terminated with error` line (a request it refused: invalid body or parameters,
// no such path, missing credentials), and, with --errors, a 422/500 problem answer carrying
// the `sl-violations` header instead of the upstream's. Tests call `assertClean()` at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { freePort } from '../helpers/moto.ts';
import { CONTRACTS } from '../helpers/parts.ts';

export const PRISM_BIN = fileURLToPath(new URL('../../node_modules/@stoplight/prism-cli/dist/index.js', import.meta.url));
export const DIGITALOCEAN_SPEC = join(CONTRACTS, 'digitalocean/DigitalOcean-public.v2.bundled.json');
export const LINODE_SPEC = join(CONTRACTS, 'linode/openapi-v4.189.0.yaml');
export const HETZNER_SPEC = join(CONTRACTS, 'hetzner/hcloud.json');

export interface ContractProblem {
  /** The log line, without its timestamp. */
  line: string;
}

export interface PrismProxy {
  url: string;
  /** Requests Prism received. */
  requests(): number;
  problems(): ContractProblem[];
  /** Waits until Prism's log has been quiet for a moment (its lines come after the answers). */
  drain(): Promise<void>;
  /** Throws, listing every violation, when Prism found any (or saw no request at all, when `expectTraffic`). */
  assertClean(options?: { expectTraffic?: boolean }): Promise<void>;
  /** Forgets what was seen so far (a test that provokes violations on purpose). */
  reset(): void;
  stop(): Promise<void>;
}

// Prism colours its log when it thinks it has a terminal; strip any escape codes anyway.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export async function startPrismProxy(spec: string, upstream: string, options: { startTimeoutMs?: number } = {}): Promise<PrismProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [PRISM_BIN, 'proxy', spec, upstream, '--errors', '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let requests = 0;
  let problems: ContractProblem[] = [];
  let tail = '';
  let listening = false;
  let pending = '';
  let lastOutput = Date.now();
  const onLine = (raw: string) => {
    const line = raw.replace(ANSI, '').replace(/^\[[^\]]*\]\s*›\s*/, '').trim();
    tail = `${tail}\n${line}`.slice(-4000);
    if (line.includes('Prism is listening')) listening = true;
    if (line.includes('Request received')) requests++;
    if (line.includes('Violation:') || line.includes('Request terminated with error')) problems.push({ line });
  };
  const onData = (d: Buffer) => {
    lastOutput = Date.now();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) onLine(l);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!listening) {
    if (child.exitCode !== null) throw new Error(`prism exited early (${child.exitCode}): ${tail}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prism did not start within ${options.startTimeoutMs ?? 60_000} ms: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const drain = async () => {
    const deadline = Date.now() + 3000;
    while (Date.now() - lastOutput < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    problems: () => [...problems],
    drain,
    async assertClean(opts = {}) {
      await drain();
      if (problems.length > 0) {
        throw new Error(`Prism found ${problems.length} contract violation(s):\n${problems.map((p) => `  ${p.line}`).join('\n')}`);
      }
      if (opts.expectTraffic && requests === 0) throw new Error('no request went through Prism: the contract check saw nothing');
    },
    reset() {
      problems = [];
      requests = 0;
    },
    stop,
  };
}
