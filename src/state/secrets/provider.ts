// Turns a stack's `secrets_providers` into an unlocked Crypter, and a user's choice
// (passphrase or KMS key) into a new one.
import { KmsCrypter, kmsUrlFor } from './awskms.ts';
import type { Crypter, PassphraseSource, SecretsProviderJSON } from './crypter.ts';
import { PassphraseCrypter } from './passphrase.ts';
import { PassphraseRequiredError, SecretsError } from '../errors.ts';
import type { Env } from '../settings.ts';

export type NewStackSecrets = { passphrase: string } | { kmsKey: string };

export async function createCrypter(secrets: NewStackSecrets, env: Env, stack: string): Promise<Crypter> {
  if ('passphrase' in secrets) return PassphraseCrypter.create(secrets.passphrase, stack);
  return KmsCrypter.create(kmsUrlFor(secrets.kmsKey, env), env, stack);
}

export async function unlockCrypter(
  provider: SecretsProviderJSON | undefined,
  stack: string,
  env: Env,
  passphrase: PassphraseSource | undefined,
  options: { onUse?: boolean } = {},
): Promise<Crypter> {
  if (!provider) {
    throw new SecretsError(`stack '${stack}' has no secrets provider, and sloth-kubernetes only works with encrypted stacks`, {
      hint: `Create an encrypted stack and import this one into it: sloth-kubernetes stacks export ${stack} --file s.json; then stacks create + stacks import.`,
    });
  }
  if (provider.type === 'passphrase') {
    const salt = (provider.state as { salt?: unknown } | undefined)?.salt;
    if (typeof salt !== 'string') throw new SecretsError(`stack '${stack}': the passphrase secrets provider has no salt`);
    const value = passphrase ? await passphrase() : undefined;
    if (value === undefined) throw new PassphraseRequiredError(stack);
    // onUse: the key is derived when a secret is first read or written (a read-only open).
    return options.onUse ? PassphraseCrypter.unlockOnUse(salt, value, stack) : PassphraseCrypter.unlock(salt, value, stack);
  }
  if (provider.type === 'cloud') return KmsCrypter.unlock(provider.state, env, stack);
  throw new SecretsError(`stack '${stack}' uses the secrets provider '${provider.type}', which sloth-kubernetes does not know`, {
    hint: 'Supported secrets providers: passphrase, cloud (awskms://).',
  });
}

export function sameProvider(a: SecretsProviderJSON | undefined, b: SecretsProviderJSON | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
