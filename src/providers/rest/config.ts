// Reading a REST provider's configuration: only the keys the package honours, a token from
// the configuration or the environment, an endpoint override that is an http(s) URL.
export class ProviderConfigError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'ProviderConfigError';
    this.hint = hint;
  }
}

export interface ConfigRules {
  /** The cloud as users name it, and its block in the config (`providers.linode`). */
  cloud: string;
  block: string;
  keys: readonly string[];
  /** Environment variables holding the token, first found wins. */
  tokenVars: readonly string[];
  /** The environment variable that replaces the public endpoint (a proxy, a test stand-in). */
  endpointVar: string;
}

export function readConfig(rules: ConfigRules, config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): { token: string; endpoint?: string } {
  const unknown = Object.keys(config).filter((k) => !rules.keys.includes(k));
  if (unknown.length > 0) throw new ProviderConfigError(`the ${rules.cloud} provider configuration has key(s) it does not support yet: ${unknown.join(', ')}`, `Supported: ${rules.keys.join(', ')}.`);
  const token = (typeof config.token === 'string' && config.token) || rules.tokenVars.map((v) => env[v]).find((v) => v);
  if (!token) {
    // The engine reports the message alone, so it says what to do too.
    throw new ProviderConfigError(`no ${rules.cloud} API token: set ${rules.tokenVars.join(' (or ')}${rules.tokenVars.length > 1 ? ')' : ''}, or (token …) in ${rules.block}`, `e.g. (token (env "${rules.tokenVars[0]}")) in the ${rules.block.split('.').pop()} block.`);
  }
  const endpoint = env[rules.endpointVar] || undefined;
  if (endpoint !== undefined) {
    const hint = `Set it to the API's base URL, or unset it.`;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ProviderConfigError(`${rules.endpointVar} '${endpoint}' is not a URL`, hint);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProviderConfigError(`${rules.endpointVar} '${endpoint}' is not an http(s) URL`, hint);
  }
  return { token, endpoint };
}
