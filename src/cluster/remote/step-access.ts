// How a remote step reaches its machine, from the step's inputs (resolved, as the stack
// stores them): the target with its pinned host key, the bastion hop when there is one, and
// the deploy key. Shared by the step itself and by commands that later read from the same
// machine the same way (`manifests diff --live`).
import { reveal as revealValue, type PropertyMap, type PropertyValue } from '../../state/types.ts';
import { TemplateError } from '../bootstrap/template.ts';
import type { SshOptions, SshTarget } from './ssh.ts';

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v === undefined ? undefined : revealValue(v));

export function inputText(map: PropertyMap, key: string, where: string): string {
  const v = reveal(map[key]);
  if (typeof v !== 'string' || v === '') throw new TemplateError(`${where}: input '${key}' is missing or not a string`);
  return v;
}

function target(value: PropertyValue | undefined, name: string): SshTarget {
  const c = reveal(value) as PropertyMap;
  return { name, host: inputText(c, 'host', name), port: Number(reveal(c['port'])), user: inputText(c, 'user', name), hostKey: inputText(c, 'hostKey', name) };
}

/** The SSH options of a step (`where` names it in errors); throws a TemplateError on a malformed input. */
export function stepSsh(inputs: PropertyMap, where: string): SshOptions {
  const machine = inputText(inputs, 'machine', where);
  const conn = reveal(inputs['connection']) as PropertyMap | undefined;
  if (!conn || typeof conn !== 'object') throw new TemplateError(`${where}: input 'connection' is missing`);
  const via = reveal(conn['via']) as PropertyMap | undefined;
  return { target: target(conn, machine), via: via ? target(via, inputText(via, 'machine', where)) : undefined, privateKey: inputText(inputs, 'privateKey', where) };
}
