// Resolves the pending operations an interrupted run left in the checkpoint, before anything
// else happens: a create is resolved by looking for the object by its URN tag (adopt), so a
// re-run never makes a twin and never loses one; a delete or an update by reading the object.
import type { JournalRecord, PendingOperation, PropertyMap } from '../state/types.ts';
import type { Run } from './run.ts';
import { isCustomResource, timeoutSeconds } from './run.ts';
import type { StepRef } from './events.ts';
import { EngineError, errorMessage } from './errors.ts';
import { keepSecretness, revealMap } from './values.ts';
import { parseUrn } from './urn.ts';
import { knownIdsOf } from './apply.ts';
import { detachRecords } from './view.ts';

export async function resolvePending(run: Run): Promise<void> {
  const ops = [...run.view.pending.values()];
  if (ops.length === 0) return;
  const problems: string[] = [];
  await Promise.all(
    ops.map(async (op) => {
      const release = await run.slots.acquire(0);
      try {
        await resolveOne(run, op);
      } catch (err) {
        problems.push(`${op.resource.urn} (interrupted ${op.type}): ${errorMessage(err)}`);
      } finally {
        release();
      }
    }),
  );
  if (problems.length > 0) {
    throw new EngineError(`could not resolve what an interrupted run left unfinished:\n  ${problems.join('\n  ')}`, {
      hint: 'Nothing else was changed. Fix the cause (credentials, network) and run the command again.',
    });
  }
}

async function resolveOne(run: Run, op: PendingOperation): Promise<void> {
  const r = op.resource;
  const step: StepRef = { urn: r.urn, type: r.type, name: parseUrn(r.urn).name, op: 'read' };
  if (!isCustomResource(r) || (op.type !== 'creating' && !r.id)) {
    await run.journal.write([{ op: 'settle', urn: r.urn }]);
    return;
  }
  const { pkg, client, type } = await run.providerFor(r);
  const secrets = [r.inputs, r.outputs];
  if (op.type === 'creating') {
    const knownIds = knownIdsOf(run, r.urn);
    const found = await run.call(step, pkg, timeoutSeconds('read', r, type), secrets, (signal) => type.adopt(revealMap(r.inputs ?? {}), { ...run.context(r, client, signal, secrets), knownIds }));
    const records: JournalRecord[] = [];
    if (found) {
      // A live copy with this URN means the create was a replacement's new half.
      if (run.view.live.has(r.urn)) records.push({ op: 'mark-delete', urn: r.urn });
      const outputs = keepSecretness(r.inputs, found.outputs ?? {}, r.additionalSecretOutputs);
      records.push({ op: 'put', resource: { ...r, id: found.id, outputs, modified: new Date().toISOString() } });
      run.emit({ type: 'diagnostic', severity: 'info', urn: r.urn, message: `an interrupted create had made ${found.id}; it is now tracked in the stack` });
    } else {
      run.emit({ type: 'diagnostic', severity: 'info', urn: r.urn, message: 'an interrupted create had made nothing' });
    }
    records.push({ op: 'settle', urn: r.urn });
    await run.journal.write(records);
    return;
  }
  const snapshot = { inputs: revealMap(r.inputs ?? {}), outputs: revealMap(r.outputs ?? {}) };
  const read = await run.call(step, pkg, timeoutSeconds('read', r, type), secrets, (signal) => type.read(r.id!, snapshot, run.context(r, client, signal, secrets)));
  const records: JournalRecord[] = [];
  if (op.type === 'deleting') {
    if (!read) {
      records.push(...(r.delete ? [] : detachRecords(run.view, r.urn)), r.delete ? { op: 'remove', urn: r.urn, deleted: true } : { op: 'remove', urn: r.urn });
      run.emit({ type: 'diagnostic', severity: 'info', urn: r.urn, message: 'an interrupted delete had finished' });
    } else {
      run.emit({ type: 'diagnostic', severity: 'info', urn: r.urn, message: 'an interrupted delete had not finished; the object is still tracked' });
    }
  } else if (op.type === 'updating') {
    const live = run.view.live.get(r.urn);
    if (!read) {
      if (live) records.push(...detachRecords(run.view, r.urn), { op: 'remove', urn: r.urn });
      run.emit({ type: 'diagnostic', severity: 'warning', urn: r.urn, message: 'the object of an interrupted update is gone; it is dropped from the stack' });
    } else if (live) {
      // Keep the old inputs: the next deploy sees the difference and finishes the update.
      const outputs: PropertyMap = keepSecretness(live.outputs, read.outputs ?? {}, live.additionalSecretOutputs);
      records.push({ op: 'put', resource: { ...live, outputs } });
      run.emit({ type: 'diagnostic', severity: 'info', urn: r.urn, message: 'an interrupted update was re-read from the cloud' });
    }
  }
  records.push({ op: 'settle', urn: r.urn });
  await run.journal.write(records);
}
