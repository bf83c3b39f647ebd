// `operator run`: lead, then reconcile until told to stop or leadership is lost. Only the
// leader watches and acts; a replica that loses the Lease aborts its updates at once (another
// replica may take over after the Lease expires) and ends, as client-go's controllers do. A
// stop request ends gracefully: running updates save what they did and release their stack
// locks, then the Lease is given up so the next replica leads without waiting.
import { Controller } from './controller.ts';
import type { ControllerOptions } from './controller.ts';
import { LeaderElector } from './leader.ts';
import type { LeaseOptions } from './leader.ts';

export interface OperatorOptions extends ControllerOptions {
  lease: Omit<LeaseOptions, 'identity' | 'log'>;
  /** Milliseconds running updates get to stop after a stop request before they are aborted (default 60 s). */
  graceMs?: number;
}

/** Resolves 'stopped' after `stop` aborts, or 'lost' when the Lease could not be renewed. */
export async function runOperator(options: OperatorOptions, stop: AbortSignal): Promise<'stopped' | 'lost'> {
  const log = options.log;
  // Loaded before leading: compiling them later would hold the event loop (and the Lease's
  // renewals) for seconds in the middle of the first update.
  await Promise.all([import('../ops/index.ts'), import('../cluster/index.ts'), import('../providers/aws/index.ts'), import('../providers/digitalocean/index.ts')]);
  const elector = new LeaderElector(options.kube, { ...options.lease, identity: options.identity, log: (m) => log('info', m) });
  if (!(await elector.acquire(stop))) return 'stopped';
  log('info', `leading as ${options.identity} (lease ${options.lease.namespace}/${options.lease.name})`);
  const controller = new Controller(options);
  const held = new AbortController();
  stop.addEventListener('abort', () => held.abort(), { once: true });
  try {
    await controller.start();
  } catch (err) {
    held.abort();
    await elector.release();
    throw err;
  }
  const outcome = await elector.hold(held.signal);
  if (outcome === 'lost') {
    log('error', 'lost the lease: stopping every update now');
    controller.abort.abort();
    await controller.shutdown(0);
    return 'lost';
  }
  log('info', 'stopping: running updates finish their current steps and release their stack locks');
  await controller.shutdown(options.graceMs ?? 60_000);
  await elector.release();
  log('info', 'stopped; the lease is released');
  return 'stopped';
}
