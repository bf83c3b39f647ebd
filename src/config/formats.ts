// Checks for the value formats a schema field can declare. Each returns undefined when the
// value is fine, or the reason it is not (completing "'<path>' <reason>").
import { isIP, isIPv4 } from 'node:net';
import { parseCidr } from './cidr.ts';
import type { Format } from './schema-dsl.ts';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const CRON_FIELD = /^(?:\*|\?|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/\d+)?)*$/;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const SCP_GIT = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;

export function isDomain(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  return value.replace(/\.$/, '').split('.').every((label) => DOMAIN_LABEL.test(label));
}

export function checkFormat(format: Format, value: string): string | undefined {
  switch (format) {
    case 'cidr': {
      const r = parseCidr(value);
      return r.ok ? undefined : `is not a valid network (${value}): ${r.reason}`;
    }
    case 'ipv4':
      return isIPv4(value) ? undefined : `is not an IPv4 address: '${value}'`;
    case 'dns-label':
      if (DNS_LABEL.test(value)) return undefined;
      return value.length > 63
        ? `is longer than 63 characters (${value.length})`
        : `'${value}' is not DNS-safe: use lowercase letters, digits and '-', starting and ending with a letter or digit`;
    case 'domain':
      return isDomain(value) ? undefined : `is not a valid DNS name: '${value}'`;
    case 'host':
      return isIP(value) !== 0 || isDomain(value) ? undefined : `is neither a DNS name nor an IP address: '${value}'`;
    case 'url': {
      try {
        const u = new URL(value);
        if (u.protocol === 'https:' || u.protocol === 'http:') return undefined;
      } catch {
        // falls through to the message
      }
      return `is not an http(s) URL: '${value}'`;
    }
    case 'git-url': {
      if (SCP_GIT.test(value)) return undefined;
      try {
        const u = new URL(value);
        if (['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
      } catch {
        // falls through to the message
      }
      return `is not a git repository URL (https://…, ssh://… or git@host:path): '${value}'`;
    }
    case 'abs-path':
      return value.startsWith('/') ? undefined : `must be an absolute path, got '${value}'`;
    case 'port-range': {
      if (value === 'all') return undefined;
      const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
      const lo = m ? Number(m[1]) : NaN;
      const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
      if (m && lo >= 1 && hi <= 65535 && lo <= hi) return undefined;
      return `is not a port or port range (1-65535, e.g. 22 or "80-443"): '${value}'`;
    }
    case 'cron': {
      const fields = value.trim().split(/\s+/);
      if ((fields.length === 5 || fields.length === 6) && fields.every((f) => CRON_FIELD.test(f))) return undefined;
      if (/^@(?:yearly|annually|monthly|weekly|daily|hourly)$/.test(value)) return undefined;
      return `is not a cron schedule (five fields, e.g. "0 */12 * * *"): '${value}'`;
    }
    case 'duration':
      return DURATION.test(value) ? undefined : `is not a duration such as "30s", "15m" or "720h": '${value}'`;
  }
}

const LABEL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label (and taint) keys: `[prefix/]name`, the prefix a DNS subdomain. */
export function checkLabelKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !(prefix.length <= 253 && prefix.split('.').every((l) => DNS_LABEL.test(l)))) {
    return `key '${key}' has an invalid prefix: it must be a lowercase DNS name such as example.com`;
  }
  if (!LABEL_NAME.test(name)) {
    return `key '${key}' is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  if (value === '' || LABEL_NAME.test(value)) return undefined;
  return `value '${value}' is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
}
