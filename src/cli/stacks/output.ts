// stacks output <name> [--show-secrets] [--json]. Without --show-secrets nothing is
// decrypted (so no passphrase is needed): secrets print as "[secret]".
import { stringify } from 'yaml';
import { isCredentialOutput, rootStackUrn, stackOutputs } from '../../state/index.ts';
import type { CliIO } from '../io.ts';
import { openStore, resolveStackName } from '../stack-context.ts';
import { json, plain, SECRET_MASK } from './render.ts';
import { AuditSession } from '../audit/session.ts';
import { withAuditedStack } from '../audit/engine.ts';

const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

function masked(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(masked);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return SECRET_MASK;
    return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, masked(e)]));
  }
  return v;
}

async function outputsOf(io: CliIO, name: string, opts: { showSecrets?: boolean; passwordStdin?: boolean }): Promise<[string, Record<string, unknown>]> {
  if (opts.showSecrets) {
    // Reading secrets is on record; a stack that breaks the integrity rules is still readable.
    const audit = new AuditSession(io, 'stacks output', { type: 'state', action: 'read', resourceId: name, resourceType: 'stack', description: `outputs of stack '${name}' read with secrets shown` });
    return withAuditedStack(io, audit, name, { passwordStdin: opts.passwordStdin, integrity: 'report' }, async (_store, stack) => {
      audit.summary.description = `Outputs of stack '${stack.name}' read with secrets shown`;
      return [stack.name, plain(stackOutputs(stack.deployment, stack.name), true) as Record<string, unknown>];
    });
  }
  const store = await openStore(io);
  try {
    const info = await store.inspectStack(await resolveStackName(io, store, name));
    const root = info.resources.find((r) => r.urn === rootStackUrn(info.name) && r.delete !== true);
    const outputs = masked(root?.outputs ?? {}) as Record<string, unknown>;
    // A credential an older writer left in plaintext is still not printed without --show-secrets.
    for (const k of Object.keys(outputs)) if (isCredentialOutput(k)) outputs[k] = SECRET_MASK;
    return [info.name, outputs];
  } finally {
    store.close();
  }
}

export async function stackOutput(io: CliIO, name: string, opts: { showSecrets?: boolean; passwordStdin?: boolean; json?: boolean }): Promise<void> {
  const [stack, outputs] = await outputsOf(io, name, opts);
  if (opts.json) io.stdout.write(json(outputs));
  else if (Object.keys(outputs).length === 0) io.stdout.write(`Stack '${stack}' has no outputs yet.\n`);
  else io.stdout.write(stringify(outputs, { lineWidth: 0 }));
}
