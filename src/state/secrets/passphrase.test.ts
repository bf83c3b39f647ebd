import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decryptV1, encryptV1 } from './aes-gcm.ts';
import { deriveKey, parsePassphraseState, PassphraseCrypter } from './passphrase.ts';
import { IncorrectPassphraseError } from '../errors.ts';
import { decodeValue, encodeValue, SIG_KEY, SECRET_SIG } from '../checkpoint/property-values.ts';
import { Secret } from '../types.ts';

interface Vectors {
  pulumi_origin_vectors: { passphrase: string; encryptionsalt?: string; salt_hex?: string; derived_key_hex?: string; ciphertext?: string; plaintext?: string }[];
  generated: {
    passphrase: string;
    salt_hex: string;
    derived_key_hex: string;
    verify_nonce_hex: string;
    encryptionsalt: string;
    secret_values: { value: unknown; plaintext_json: string; nonce_hex: string; ciphertext: string; serialized: Record<string, string> }[];
    config_secure_example: { plaintext: string; nonce_hex: string; secure: string };
  }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../../test/contracts/pulumi/passphrase-vectors.json', import.meta.url), 'utf8')) as Vectors;

test('every Pulumi passphrase state unlocks with its passphrase and derives the published key', async () => {
  for (const v of vectors.pulumi_origin_vectors.filter((v) => v.encryptionsalt)) {
    const { salt } = parsePassphraseState(v.encryptionsalt!);
    assert.equal(salt.toString('hex'), v.salt_hex);
    assert.equal((await deriveKey(v.passphrase, salt)).toString('hex'), v.derived_key_hex, v.passphrase);
    await PassphraseCrypter.unlock(v.encryptionsalt!, v.passphrase, 'dev');
  }
});

test('a wrong passphrase is recognised by the "pulumi" check value', async () => {
  const v = vectors.pulumi_origin_vectors[0]!;
  await assert.rejects(PassphraseCrypter.unlock(v.encryptionsalt!, `${v.passphrase}x`, 'dev'), IncorrectPassphraseError);
});

test("Pulumi's config ciphertext decrypts to its raw string", async () => {
  const cfg = vectors.pulumi_origin_vectors.find((v) => v.ciphertext)!;
  const state = vectors.pulumi_origin_vectors.find((v) => v.passphrase === cfg.passphrase && v.encryptionsalt)!;
  const crypter = await PassphraseCrypter.unlock(state.encryptionsalt!, cfg.passphrase, 'dev');
  assert.equal(crypter.decrypt(cfg.ciphertext!), cfg.plaintext);
});

test('generated vectors: same state string, same ciphertexts with fixed nonces, and they decrypt back', async () => {
  for (const g of vectors.generated) {
    const salt = Buffer.from(g.salt_hex, 'hex');
    const created = await PassphraseCrypter.create(g.passphrase, 'dev', salt, Buffer.from(g.verify_nonce_hex, 'hex'));
    assert.equal(created.provider.state.salt, g.encryptionsalt);
    const key = await deriveKey(g.passphrase, salt);
    assert.equal(key.toString('hex'), g.derived_key_hex);
    for (const s of g.secret_values) {
      assert.equal(encryptV1(key, s.plaintext_json, Buffer.from(s.nonce_hex, 'hex')), s.ciphertext);
      const decoded = decodeValue(s.serialized, { decrypt: (ct) => created.decrypt(ct) }, 'v');
      assert.ok(decoded instanceof Secret);
      assert.deepEqual(decoded.value, s.value);
      // Re-encoding an unchanged secret writes back the ciphertext it was read from.
      assert.deepEqual(encodeValue(decoded, { encrypt: () => assert.fail('re-encrypted'), reuseCiphertext: true }), s.serialized);
    }
    const c = g.config_secure_example;
    assert.equal(encryptV1(key, c.plaintext, Buffer.from(c.nonce_hex, 'hex')), c.secure);
    assert.equal(decryptV1(key, c.secure), c.plaintext);
  }
});

test('what we encrypt decrypts by the same rules, nested secrets included', async () => {
  const g = vectors.generated[0]!;
  const crypter = await PassphraseCrypter.create(g.passphrase, 'dev', Buffer.from(g.salt_hex, 'hex'));
  const value = new Secret({ user: 'admin', inner: new Secret(['a', 1, null]), n: 1.5 });
  const encoded = encodeValue(value, { encrypt: (pt) => crypter.encrypt(pt), reuseCiphertext: true }) as Record<string, string>;
  assert.equal(encoded[SIG_KEY], SECRET_SIG);
  const plaintext = crypter.decrypt(encoded.ciphertext!);
  // Pulumi's rule: a secret inside a secret carries its own JSON text as "ciphertext".
  assert.deepEqual(JSON.parse(plaintext), { user: 'admin', inner: { [SIG_KEY]: SECRET_SIG, ciphertext: '["a",1,null]' }, n: 1.5 });
  const back = decodeValue(encoded, { decrypt: (ct) => crypter.decrypt(ct) }, 'v') as Secret;
  const inner = (back.value as Record<string, unknown>).inner as Secret;
  assert.ok(inner instanceof Secret);
  assert.deepEqual(inner.value, ['a', 1, null]);
  assert.equal(inner.ciphertext, undefined);
});
