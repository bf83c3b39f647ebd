import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ApiNotReadyError, kubeconfigParts, waitForApi } from './api-ready.ts';
import { missing } from '../../../test/helpers/parts.ts';


/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with the real openssl. */
function pki(dir: string) {
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) run('req', '-x509', ...key, '-days', '1', '-subj', `/CN=${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn] of [['server', 'kube-apiserver'], ['client', 'system:admin']]) {
    run('req', ...key, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.crt`, ...(name === 'server' ? ['-extfile', 'san.ext'] : []));
  }
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), otherCa: read('other-ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

function kubeconfig(server: string, ca: Buffer, cert: Buffer, key: Buffer): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
    users: [{ name: 'default', user: { 'client-certificate-data': cert.toString('base64'), 'client-key-data': key.toString('base64') } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
  });
}

test('waits until /readyz answers 200 at the kubeconfig server, verifying the CA and presenting the client certificate', { skip: missing('openssl') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-api-'));
  const p = pki(dir);
  let calls = 0;
  const server = createServer({ key: p.serverKey, cert: p.serverCert, ca: p.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    calls++;
    if (req.url !== '/readyz') return res.writeHead(404).end();
    if (calls < 3) return res.writeHead(503).end('[-]etcd failed: reason withheld\nreadyz check failed');
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const progress: string[] = [];
    const result = await waitForApi(kubeconfig(url, p.ca, p.clientCert, p.clientKey), { timeoutMs: 10_000, intervalMs: 50, onProgress: (l) => progress.push(l) });
    assert.deepEqual(result, { server: url, attempts: 3 });
    assert.match(progress[0]!, /HTTP 503: .*readyz check failed/);

    // The wrong CA: never trusted, and the error says what it saw.
    await assert.rejects(
      waitForApi(kubeconfig(url, p.otherCa, p.clientCert, p.clientKey), { timeoutMs: 300, intervalMs: 50 }),
      (err: Error) => err instanceof ApiNotReadyError && /did not answer ready within 0s \(last: .*(certificate|self-signed|issuer)/i.test(err.message),
    );
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a kubeconfig without a server is refused clearly', () => {
  assert.throws(() => kubeconfigParts('apiVersion: v1\nclusters: []\n'), /names no server/);
  assert.throws(() => kubeconfigParts(''), /empty or not YAML/);
});
