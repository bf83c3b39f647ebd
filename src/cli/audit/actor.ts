// Who is acting, for the audit log and the change log: --actor, else SLOTH_ACTOR (CI sets
// it), else the OS user and host (`alice@build-1`).
import { hostname, userInfo } from 'node:os';
import type { CliIO } from '../io.ts';

const explicit = new WeakMap<CliIO, string>();

/** Set by the program from the global --actor flag before a command runs. */
export function setActor(io: CliIO, actor: string | undefined): void {
  if (actor !== undefined && actor.trim() !== '') explicit.set(io, actor.trim());
}

export function actorOf(io: CliIO): string {
  const given = explicit.get(io) ?? io.env.SLOTH_ACTOR?.trim();
  if (given) return given;
  let user = io.env.USER || io.env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}
