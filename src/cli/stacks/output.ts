// stacks output <name> [--show-secrets] [--json]. Without --show-secrets nothing is
// decrypted (so no passphrase is needed): secrets print as "[secret]".
import { stringify } from 'yaml';
import { auditSession, resolveStackName, withAuditedStack } from '../../ops/stack.ts';
import { maskedOutputs, shownValue } from '../../redact/index.ts';
import { rootStackUrn, stackOutputs } from '../../state/index.ts';
import { cliContext } from '../host.ts';
import type { CliIO } from '../io.ts';
import { openStore } from '../stack-context.ts';
import { json } from './render.ts';

async function outputsOf(io: CliIO, name: string, opts: { showSecrets?: boolean; passwordStdin?: boolean }): Promise<[string, Record<string, unknown>]> {
  if (opts.showSecrets) {
    // Reading secrets is on record; a stack that breaks the integrity rules is still readable.
    const ctx = cliContext(io, opts);
    const audit = auditSession(ctx, 'stacks output', { type: 'state', action: 'read', resourceId: name, resourceType: 'stack', description: `outputs of stack '${name}' read with secrets shown` });
    return withAuditedStack(
      ctx,
      audit,
      name,
      async ({ stack }) => {
        audit.summary.description = `Outputs of stack '${stack.name}' read with secrets shown`;
        return [stack.name, shownValue(stackOutputs(stack.deployment, stack.name), true) as Record<string, unknown>];
      },
      { integrity: 'report' },
    );
  }
  const store = await openStore(io);
  try {
    const info = await store.inspectStack(await resolveStackName(store, name));
    const root = info.resources.find((r) => r.urn === rootStackUrn(info.name) && r.delete !== true);
    // A credential an older writer left in plaintext is still not printed without --show-secrets.
    return [info.name, maskedOutputs((root?.outputs ?? {}) as Record<string, unknown>)];
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
