// How a remote step reaches its machine and what it runs there, from the step's inputs
// (resolved, as the stack stores them): the target with its pinned host key, the bastion hop
// when there is one, the deploy key, the script and its payload. Shared by the steps
// themselves and by commands that later read from the same machine the same way
// (`manifests diff --live`).
import type { CallContext } from '../../engine/index.ts';
import { reveal as revealValue, type PropertyMap, type PropertyValue } from '../../state/types.ts';
import { encodePayload, type PayloadFile } from '../bootstrap/shell.ts';
import { fillTemplate, TemplateError } from '../bootstrap/template.ts';
import type { SshOptions, SshTarget } from './ssh.ts';

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v === undefined ? undefined : revealValue(v));

export function inputText(map: PropertyMap, key: string, where: string): string {
  const v = reveal(map[key]);
  if (typeof v !== 'string' || v === '') throw new TemplateError(`${where}: input '${key}' is missing or not a string`);
  return v;
}

function target(value: PropertyValue | undefined, name: string): SshTarget {
  const c = reveal(value) as PropertyMap;
  const former = reveal(c['formerHostKey']);
  return {
    name,
    host: inputText(c, 'host', name),
    port: Number(reveal(c['port'])),
    user: inputText(c, 'user', name),
    hostKey: inputText(c, 'hostKey', name),
    ...(typeof former === 'string' && former !== '' ? { formerHostKey: former } : {}),
  };
}

/** The SSH options of a step (`where` names it in errors); throws a TemplateError on a malformed input. */
export function stepSsh(inputs: PropertyMap, where: string): SshOptions {
  const machine = inputText(inputs, 'machine', where);
  const conn = reveal(inputs['connection']) as PropertyMap | undefined;
  if (!conn || typeof conn !== 'object') throw new TemplateError(`${where}: input 'connection' is missing`);
  const via = reveal(conn['via']) as PropertyMap | undefined;
  return { target: target(conn, machine), via: via ? target(via, inputText(via, 'machine', where)) : undefined, privateKey: inputText(inputs, 'privateKey', where) };
}

/** Everything a command run needs, from its resolved inputs. */
export function commandRun(inputs: PropertyMap, ctx: Pick<CallContext, 'name' | 'signal' | 'log'>) {
  const machine = inputText(inputs, 'machine', ctx.name);
  const vars = Object.fromEntries(Object.entries((reveal(inputs['vars']) as PropertyMap | undefined) ?? {}).map(([k, v]) => [k, String(reveal(v))]));
  const files = ((reveal(inputs['files']) as PropertyValue[] | undefined) ?? []).map((f) => {
    const file = reveal(f) as PropertyMap;
    return { path: inputText(file, 'path', ctx.name), mode: inputText(file, 'mode', ctx.name), content: fillTemplate(String(reveal(file['content']) ?? ''), vars) } satisfies PayloadFile;
  });
  const secrets = files.map((f) => f.content).flatMap((c) => c.split('\n').filter((l) => l.length >= 16));
  return {
    step: ctx.name,
    ssh: stepSsh(inputs, ctx.name),
    script: fillTemplate(inputText(inputs, 'script', ctx.name), vars),
    stdin: files.length > 0 ? encodePayload(files) : undefined,
    timeoutMs: Number(reveal(inputs['timeoutSeconds']) ?? 600) * 1000,
    signal: ctx.signal,
    secrets,
    onProgress: (line: string) => ctx.log(`${machine}: ${line}`),
  };
}

