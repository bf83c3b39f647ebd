// Environment variables. An unset variable is nil, so `default` and `or` can supply a value.
// In restricted mode each read is checked against the allow-list.
import type { Value } from '../types.ts';
import { fn, str } from './registry.ts';
import type { Call } from './registry.ts';

function lookup(c: Call): string | undefined {
  const name = str(c, 0);
  c.interp.restrictions.checkEnv(c.name, name, c.node);
  return c.interp.env[name];
}

function envWithDefault(c: Call): Value {
  const v = lookup(c);
  if (c.args.length > 1) return v === undefined || v === '' ? c.args[1]! : v;
  return v ?? null;
}

const envDoc = {
  usage: '(env "VAR" [default])',
  summary: 'the variable\'s value; nil when unset, or default when given and the variable is unset or empty',
  examples: [['(env "AWS_REGION")', '"us-east-1"'], ['(env "CLUSTER_ENV" "production")', '"production"']] as Array<[string, string]>,
};

export const envBuiltins = [
  fn('env', [1, 2], envDoc, envWithDefault),
  fn('getenv', [1, 2], { ...envDoc, usage: '(getenv "VAR" [default])', summary: 'another name for env', examples: [['(getenv "AWS_REGION")', '"us-east-1"']] }, envWithDefault),
  fn(
    'env-or',
    [2, 2],
    { usage: '(env-or "VAR" fallback)', summary: 'the variable\'s value, or fallback when unset or empty', examples: [['(env-or "TOKEN" "default-token")', '"default-token"']] },
    envWithDefault,
  ),
  fn(
    'env?',
    [1, 1],
    { usage: '(env? "VAR")', summary: 'true when the variable is set (even to "")', examples: [['(if (env? "DEBUG") "yes" "no")', '"no"']] },
    (c) => lookup(c) !== undefined,
  ),
];
