// Backend URLs: what a URL means (the choice of URL — environment, then
// ~/.sloth-kubernetes/config, then the local default `file://~`, i.e. state in ~/.pulumi like
// `pulumi login --local` — is made in store.ts). Every parameter we accept has an effect;
// anything else is an error.
import { isAbsolute, resolve } from 'node:path';
import { BackendConfigError, NotSupportedError } from './errors.ts';

export const DEFAULT_BACKEND_URL = 'file://~';

export type BackendSource = 'environment' | 'config file' | 'default' | 'flag';

export interface FileBackendSpec {
  scheme: 'file';
  url: string;
  root: string;
}

export interface S3BackendSpec {
  scheme: 's3';
  url: string;
  bucket: string;
  prefix: string;
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  profile?: string;
  requestChecksum?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  responseChecksum?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  accelerate: boolean;
  fips: boolean;
  dualstack: boolean;
  sseType?: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  sseKmsKeyId?: string;
}

export type BackendSpec = FileBackendSpec | S3BackendSpec;

const FILE_UNSUPPORTED = ['create_dir', 'dir_file_mode', 'metadata', 'base_url', 'secret_key_path'];
const S3_UNSUPPORTED = ['role', 'anonymous', 'hostname_immutable', 'rate_limiter_capacity', 'awssdk'];
const S3_KNOWN = [
  'region', 'endpoint', 'disableSSL', 'disable_https', 's3ForcePathStyle', 'use_path_style', 'profile',
  'request_checksum_calculation', 'response_checksum_validation', 'accelerate', 'fips', 'dualstack', 'ssetype', 'kmskeyid',
];

function bool(name: string, v: string, url: string): boolean {
  if (/^(1|true)$/i.test(v)) return true;
  if (/^(0|false)$/i.test(v)) return false;
  throw new BackendConfigError(`backend URL ${url}: parameter ${name} must be true or false, not '${v}'`);
}

function checksum(name: string, v: string, url: string): 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' {
  const u = v.toLowerCase();
  if (u === 'when_supported') return 'WHEN_SUPPORTED';
  if (u === 'when_required') return 'WHEN_REQUIRED';
  throw new BackendConfigError(`backend URL ${url}: ${name} must be when_supported or when_required`);
}

export function parseBackendUrl(url: string, opts: { homedir: string; cwd: string }): BackendSpec {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^?#]*)(?:\?([^#]*))?$/.exec(url.trim());
  if (!m) {
    throw new BackendConfigError(`invalid backend URL '${url}'`, {
      hint: 'Use file://PATH, file://~ (local) or s3://BUCKET[/PREFIX]?region=REGION.',
    });
  }
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  const params = new URLSearchParams(m[3] ?? '');
  for (const k of new Set(params.keys())) {
    if (params.getAll(k).length > 1) throw new BackendConfigError(`backend URL ${url}: parameter ${k} is given twice`);
  }
  if (scheme === 'file') {
    for (const k of params.keys()) {
      if (k === 'no_tmp_dir') {
        // We always write temporary files next to their target (what no_tmp_dir=true asks for).
        if (!bool(k, params.get(k)!, url)) throw new NotSupportedError(`backend URL ${url}: no_tmp_dir=false is not supported yet`);
      } else if (FILE_UNSUPPORTED.includes(k)) throw new NotSupportedError(`backend URL ${url}: parameter ${k} is not supported yet`);
      else throw new BackendConfigError(`backend URL ${url}: unknown parameter '${k}' for file://`);
    }
    let path = decodeURIComponent(rest);
    if (path === '~' || path.startsWith('~/')) path = opts.homedir + path.slice(1);
    if (path === '') throw new BackendConfigError(`backend URL ${url}: no path`, { hint: 'Use file://~ or file:///absolute/path.' });
    const root = isAbsolute(path) ? path : resolve(opts.cwd, path);
    return { scheme: 'file', url, root };
  }
  if (scheme === 's3') {
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    let prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (prefix) prefix += '/';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && !/^[A-Za-z0-9_.-]{1,255}$/.test(bucket)) {
      throw new BackendConfigError(`backend URL ${url}: '${bucket}' is not a bucket name`);
    }
    for (const k of params.keys()) {
      if (S3_UNSUPPORTED.includes(k)) throw new NotSupportedError(`backend URL ${url}: parameter ${k} is not supported yet`);
      if (!S3_KNOWN.includes(k)) {
        throw new BackendConfigError(`backend URL ${url}: unknown parameter '${k}' for s3://`, { hint: `Known parameters: ${S3_KNOWN.join(', ')}.` });
      }
    }
    const get = (k: string) => params.get(k) ?? undefined;
    const disableHttpsRaw = get('disable_https') ?? get('disableSSL');
    const disableHttps = disableHttpsRaw === undefined ? false : bool('disable_https', disableHttpsRaw, url);
    let endpoint = get('endpoint');
    if (endpoint !== undefined) {
      if (endpoint === '') throw new BackendConfigError(`backend URL ${url}: endpoint is empty`);
      if (!/^https?:\/\//i.test(endpoint)) endpoint = `${disableHttps ? 'http' : 'https'}://${endpoint}`;
      else if (disableHttps) endpoint = endpoint.replace(/^https:/i, 'http:');
    }
    const pathStyleRaw = get('use_path_style') ?? get('s3ForcePathStyle');
    const sse = get('ssetype');
    if (sse !== undefined && !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(sse)) {
      throw new BackendConfigError(`backend URL ${url}: ssetype must be AES256, aws:kms or aws:kms:dsse`);
    }
    const requestChecksumRaw = get('request_checksum_calculation');
    return {
      scheme: 's3',
      url,
      bucket,
      prefix,
      region: get('region') || undefined,
      endpoint,
      forcePathStyle: pathStyleRaw === undefined ? false : bool('use_path_style', pathStyleRaw, url),
      profile: get('profile') || undefined,
      // As Pulumi does: S3-compatible stores (B2, Spaces, older MinIO) reject the newer
      // default checksums, so a custom endpoint asks for them only when required.
      requestChecksum: requestChecksumRaw
        ? checksum('request_checksum_calculation', requestChecksumRaw, url)
        : endpoint
          ? 'WHEN_REQUIRED'
          : undefined,
      responseChecksum: get('response_checksum_validation') ? checksum('response_checksum_validation', get('response_checksum_validation')!, url) : undefined,
      accelerate: get('accelerate') ? bool('accelerate', get('accelerate')!, url) : false,
      fips: get('fips') ? bool('fips', get('fips')!, url) : false,
      dualstack: get('dualstack') ? bool('dualstack', get('dualstack')!, url) : false,
      sseType: sse as S3BackendSpec['sseType'],
      sseKmsKeyId: get('kmskeyid'),
    };
  }
  if (['gs', 'azblob', 'postgres', 'http', 'https'].includes(scheme)) {
    throw new NotSupportedError(`backend URL ${url}: the ${scheme}:// backend is not supported yet`, {
      hint: 'Supported backends: file://PATH (file://~ is the local default) and s3://BUCKET (AWS S3, MinIO, DigitalOcean Spaces, Backblaze B2).',
    });
  }
  throw new BackendConfigError(`unknown backend scheme '${scheme}://' in '${url}'`, {
    hint: 'Supported backends: file://PATH (file://~ is the local default) and s3://BUCKET?region=REGION.',
  });
}
