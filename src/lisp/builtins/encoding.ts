// Encoding and hashing over the UTF-8 bytes of strings.
import { createHash } from 'node:crypto';
import { argError, checkString, fn, str } from './registry.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export const encodingBuiltins = [
  fn('base64-encode', [1, 1], { usage: '(base64-encode str)', summary: 'standard base64 of the UTF-8 bytes', examples: [['(base64-encode "hello")', '"aGVsbG8="']] }, (c) =>
    checkString(c, Buffer.from(str(c, 0), 'utf8').toString('base64')),
  ),
  fn(
    'base64-decode',
    [1, 1],
    { usage: '(base64-decode str)', summary: 'the text whose standard base64 is str (white space ignored, padding optional)', examples: [['(base64-decode "aGVsbG8=")', '"hello"']] },
    (c) => {
      const text = str(c, 0).replace(/\s+/g, '');
      if (!BASE64.test(text) || text.length % 4 === 1 || (text.includes('=') && text.length % 4 !== 0)) {
        throw argError(c, 0, 'not valid base64 (standard alphabet A-Z a-z 0-9 + /, with = padding)');
      }
      try {
        return utf8.decode(Buffer.from(text, 'base64'));
      } catch {
        throw argError(c, 0, 'the decoded bytes are not UTF-8 text', 'base64-decode gives text; binary content cannot be a string value');
      }
    },
  ),
  fn(
    'sha256',
    [1, 1],
    { usage: '(sha256 str)', summary: 'SHA-256 of the UTF-8 bytes, lower-case hex', examples: [['(sha256 "password")', '"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"']] },
    (c) => createHash('sha256').update(str(c, 0), 'utf8').digest('hex'),
  ),
];
