// What the checkpoint code needs from a secrets provider: synchronous encrypt/decrypt of
// `v1:` strings with a key that was unlocked once (passphrase derivation or KMS decrypt),
// and the `secrets_providers` JSON that tells a later reader how to unlock it again.

export interface SecretsProviderJSON {
  type: string;
  state?: unknown;
}

export interface Crypter {
  readonly provider: SecretsProviderJSON;
  /** Human description for `stacks info`, e.g. "Passphrase (AES-256-GCM)". */
  readonly description: string;
  encrypt(plaintext: string): string;
  /** Throws a SecretsError naming `where` when the value does not decrypt. */
  decrypt(ciphertext: string, where?: string): string;
}

/** Where a passphrase comes from; called at most once per stack open, and only when needed. */
export type PassphraseSource = () => Promise<string | undefined>;
