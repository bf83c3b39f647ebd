// A TLS certificate for a stand-in on 127.0.0.1, made for the run by `openssl`: the Azure and
// Google clients speak HTTPS only. CLI processes trust it through NODE_EXTRA_CA_CERTS (the
// `caFile`); an in-process test calls `trustInProcess()`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface StandinCertificate {
  key: string;
  cert: string;
  /** A file holding the certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** A folder for the stand-in's other files (removed by `remove`). */
  dir: string;
  trustInProcess(): void;
  remove(): void;
}

export function makeCertificate(prefix: string): StandinCertificate {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  if (made.status !== 0) throw new Error(`openssl could not make the stand-in's certificate: ${made.stderr.toString()}`);
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  return {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert,
    caFile: join(dir, 'cert.pem'),
    dir,
    trustInProcess() {
      tls.setDefaultCACertificates([...tls.getCACertificates('default'), cert]);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
