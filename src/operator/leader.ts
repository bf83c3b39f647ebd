// Leader election with a coordination.k8s.io Lease, in the manner of client-go's leaderelection:
// a replica leads while it holds the Lease and renews it; the others wait until the Lease has
// not been renewed for its duration (measured on their own clocks, from when they last saw it
// change, so clocks need not agree). A leader that cannot renew within the renew deadline
// stops leading (its work is stopped) before anyone else can take over; one that stops on its
// own gives the Lease up so the next takes over at once.
import { V1MicroTime } from '@kubernetes/client-node';
import type { V1Lease } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { isConflict } from './kube.ts';
import type { Kube } from './kube.ts';

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  /** Seconds a Lease lasts without renewal (default 15). */
  durationSeconds?: number;
  /** Seconds a leader keeps trying to renew before it gives up leading (default 10; less than the duration). */
  renewDeadlineSeconds?: number;
  /** Seconds between tries (default 2). */
  retrySeconds?: number;
  log?: (message: string) => void;
}

export class LeaderElector {
  readonly #kube: Kube;
  readonly #o: Required<Omit<LeaseOptions, 'log'>> & Pick<LeaseOptions, 'log'>;
  #observed: { resourceVersion?: string; at: number } = { at: 0 };
  #leading = false;
  #stopped = false;

  constructor(kube: Kube, options: LeaseOptions) {
    this.#kube = kube;
    this.#o = { durationSeconds: 15, renewDeadlineSeconds: 10, retrySeconds: 2, ...options };
    if (this.#o.renewDeadlineSeconds >= this.#o.durationSeconds) throw new Error('the renew deadline must be shorter than the lease duration');
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Resolves once this replica leads (or `signal` aborts: then false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    let waitingSaid = false;
    while (!signal.aborted) {
      try {
        if (await this.#tryAcquireOrRenew()) {
          this.#leading = true;
          return true;
        }
        if (!waitingSaid) this.#o.log?.(`waiting to lead: lease ${this.#o.namespace}/${this.#o.name} is held by another replica`);
        waitingSaid = true;
      } catch (err) {
        this.#o.log?.(`cannot take the lease: ${(err as Error).message}`);
      }
      await sleep(this.#o.retrySeconds * 1000, undefined, { signal }).catch(() => undefined);
    }
    return false;
  }

  /**
   * Renews the Lease every retry period while leading. Resolves when leadership is lost (a
   * renewal did not succeed within the renew deadline) or `signal` aborts.
   */
  async hold(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    let lastRenew = Date.now();
    while (!signal.aborted && !this.#stopped) {
      await sleep(this.#o.retrySeconds * 1000, undefined, { signal }).catch(() => undefined);
      if (signal.aborted || this.#stopped) break;
      try {
        if (await this.#tryAcquireOrRenew()) {
          lastRenew = Date.now();
          continue;
        }
      } catch (err) {
        this.#o.log?.(`cannot renew the lease: ${(err as Error).message}`);
      }
      if (Date.now() - lastRenew > this.#o.renewDeadlineSeconds * 1000) {
        this.#leading = false;
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Gives the Lease up (if still ours) so another replica leads without waiting. */
  async release(): Promise<void> {
    this.#stopped = true;
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#kube.readLease(this.#o.namespace, this.#o.name);
      if (!lease || lease.spec?.holderIdentity !== this.#o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: new V1MicroTime() };
      await this.#kube.replaceLease(this.#o.namespace, lease);
    } catch (err) {
      this.#o.log?.(`cannot release the lease: ${(err as Error).message}`);
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, durationSeconds } = this.#o;
    const now = new V1MicroTime();
    const lease = await this.#kube.readLease(namespace, name);
    if (!lease) {
      const created: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      try {
        await this.#kube.createLease(namespace, created);
        return true;
      } catch (err) {
        if (isConflict(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const rv = lease.metadata?.resourceVersion;
    if (rv !== this.#observed.resourceVersion) this.#observed = { resourceVersion: rv, at: Date.now() };
    const holder = spec.holderIdentity;
    const mine = holder === identity;
    const expired = this.#observed.at + (spec.leaseDurationSeconds ?? durationSeconds) * 1000 < Date.now();
    if (holder && !mine && !expired) return false;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      renewTime: now,
      acquireTime: mine && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      const written = await this.#kube.replaceLease(namespace, lease);
      this.#observed = { resourceVersion: written.metadata?.resourceVersion, at: Date.now() };
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
