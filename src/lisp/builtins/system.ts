// Facts about the machine. Refused in restricted mode unless allow-listed.
import { fn } from './registry.ts';
import type { Call } from './registry.ts';
import type { Value } from '../types.ts';

function guarded(read: (c: Call) => string) {
  return (c: Call): Value => {
    c.interp.restrictions.checkBuiltin(c.name, c.node);
    return read(c);
  };
}

export const systemBuiltins = [
  fn('hostname', [0, 0], { usage: '(hostname)', summary: 'this machine\'s host name', examples: [['(hostname)', '"build-01"']] }, guarded((c) => c.interp.system.hostname())),
  fn('user', [0, 0], { usage: '(user)', summary: 'the current user\'s login name', examples: [['(user)', '"alice"']] }, guarded((c) => c.interp.system.username())),
  fn('home', [0, 0], { usage: '(home)', summary: 'the current user\'s home directory', examples: [['(home)', '"/home/user"']] }, guarded((c) => c.interp.system.homedir())),
  fn('cwd', [0, 0], { usage: '(cwd)', summary: 'the current working directory', examples: [['(cwd)', '"/home/user/clusters"']] }, guarded((c) => c.interp.system.cwd())),
];
