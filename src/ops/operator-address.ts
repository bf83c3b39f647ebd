// The address the deployer reaches the cluster from. The planner opens SSH (through the
// bastion, or to the nodes) and the Kubernetes API only to allowed CIDRs; the tool's own
// remote steps need SSH from here, so deploy adds this machine's public address unless the
// user names the addresses (--operator-cidr or SLOTH_OPERATOR_CIDRS).
import { isIPv4, isIPv6 } from 'node:net';
import { OpsError } from './errors.ts';

/** An answer of the form the AWS check-IP service gives: one address and a newline. */
const CHECK_IP_URL = 'https://checkip.amazonaws.com';

export function parseOperatorCidrs(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    const [ip, bits, extra] = value.split('/');
    const max = isIPv4(ip ?? '') ? 32 : isIPv6(ip ?? '') ? 128 : 0;
    const prefix = bits === undefined ? max : Number(bits);
    if (max === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new OpsError('invalid', `operator address '${value}' is not an IP address or CIDR`, 'Use e.g. --operator-cidr 203.0.113.7/32.');
    }
    out.push(`${ip}/${prefix}`);
  }
  return out;
}

/**
 * The operator CIDRs to use: given ones win; otherwise this machine's public address is
 * looked up, and a failed look-up is an error. Every command that plans a cluster (preview,
 * deploy, refresh --config, rollback and its dry run) goes through here, so the same inputs
 * give the same plan whichever of them makes it.
 */
export async function operatorCidrs(
  given: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): Promise<string[]> {
  const named = parseOperatorCidrs([...given, ...(env.SLOTH_OPERATOR_CIDRS ? [env.SLOTH_OPERATOR_CIDRS] : [])]);
  if (named.length > 0) return named;
  try {
    const res = await (options.fetchImpl ?? fetch)(CHECK_IP_URL, { signal: AbortSignal.timeout(options.timeoutMs ?? 4000) });
    const text = (await res.text()).trim();
    if (!res.ok || !(isIPv4(text) || isIPv6(text))) throw new Error(`unexpected answer (HTTP ${res.status})`);
    return [`${text}/${isIPv4(text) ? 32 : 128}`];
  } catch (err) {
    throw new OpsError(
      'unavailable',
      `could not find this machine's public address (${CHECK_IP_URL}: ${(err as Error).message})`,
      'The nodes accept SSH and the Kubernetes API only from allowed addresses. Name yours with --operator-cidr <cidr> (or SLOTH_OPERATOR_CIDRS).',
    );
  }
}
