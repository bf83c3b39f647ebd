// The interface a cloud provider implements so the engine can manage its resources. The
// engine knows no cloud: it decides *what* to do (create, update, replace, delete, adopt,
// read) and *when* (dependency order, parallelism, retries, timeouts, journaling); a provider
// only knows *how* for its own resource types. See docs/engine.md, "Writing a provider".
import type { CustomTimeouts, PropertyMap } from '../state/types.ts';

/**
 * How the engine treats a failed provider call:
 *  - `throttled`: the API asked us to slow down; retried with exponential backoff and jitter.
 *  - `transient`: a network blip, a 5xx, a conflict that clears by itself; retried likewise.
 *  - `permanent`: bad input, missing permission, quota; fails this resource at once.
 */
export type ErrorClass = 'throttled' | 'transient' | 'permanent';

/** What every provider call receives. */
export interface CallContext<Client = unknown> {
  readonly urn: string;
  /** The logical name (last segment of the URN). */
  readonly name: string;
  readonly type: string;
  /**
   * Attach this to the cloud object (tag, label, description) when creating it. `adopt`
   * looks for it to find an object that an interrupted create left behind.
   */
  readonly urnTag: string;
  /** Whatever the package's `configure` returned for this resource's provider configuration. */
  readonly client: Client;
  /** Aborted on timeout or when the user aborts the run; pass it to every SDK call. */
  readonly signal: AbortSignal;
  /**
   * A progress line for the user, shown with --verbose (an info diagnostic); with 'warning',
   * shown always — what a long wait is waiting for and why. Every secret string of the
   * resource is scrubbed from it, but don't put secrets in it.
   */
  log(message: string, severity?: 'info' | 'warning'): void;
}

export interface CreateResult {
  /** The cloud's identifier of the new object. */
  id: string;
  /** Everything worth remembering about the object; by convention a superset of the inputs. */
  outputs: PropertyMap;
}

export interface ResourceSnapshot {
  inputs: PropertyMap;
  outputs: PropertyMap;
}

export interface ReadResult {
  outputs: PropertyMap;
  /**
   * The object's inputs as the cloud has them now. Give them when the cloud can report them:
   * after a refresh the next deploy then puts back whatever was changed out of band.
   */
  inputs?: PropertyMap;
}

export interface DiffResult {
  /** Top-level input keys that differ. */
  changed: string[];
  /** Those of `changed` that cannot be updated in place. */
  replace: string[];
}

export interface ResourceType<Client = unknown> {
  /** Input keys whose change forces replacement (used by the default diff). */
  readonly forceNew?: readonly string[];
  /**
   * Output keys (other than inputs) that may change on an update. A preview shows them as
   * "(known after apply)"; every other output keeps its current value through an update.
   */
  readonly computedOnUpdate?: readonly string[];
  /** Default per-operation timeouts in seconds; a resource's own customTimeouts win. */
  readonly timeouts?: CustomTimeouts;
  /**
   * Optional custom diff. The default compares each top-level input key structurally; a
   * change of a `forceNew` key, or any change when `update` is absent, forces replacement.
   * Values may be the unknown marker in a preview.
   */
  diff?(olds: PropertyMap, news: PropertyMap): DiffResult;
  create(inputs: PropertyMap, ctx: CallContext<Client>): Promise<CreateResult>;
  /** Returns undefined when the object is gone. */
  read(id: string, state: ResourceSnapshot, ctx: CallContext<Client>): Promise<ReadResult | undefined>;
  /** Absent: every change replaces the object. */
  update?(id: string, olds: ResourceSnapshot, news: PropertyMap, ctx: CallContext<Client>): Promise<{ outputs: PropertyMap }>;
  /** Deleting an object that is already gone must succeed. */
  delete(id: string, state: ResourceSnapshot, ctx: CallContext<Client>): Promise<void>;
  /**
   * Finds the object tagged with `ctx.urnTag`: one a create interrupted by a crash may have
   * left behind, or one a lost stack tracked (refresh with a desired graph, `refresh
   * --config`). Skips `knownIds` (objects the stack already tracks under the same URN, e.g.
   * the old half of a replacement). Undefined when there is none.
   */
  adopt(inputs: PropertyMap, ctx: CallContext<Client> & { knownIds: readonly string[] }): Promise<CreateResult | undefined>;
  /**
   * For a resource with no cloud object of its own (a look-up, a record, a step run on a
   * machine): what a stack rebuilt by `refresh --config` records for it — the look-up made
   * again, the record as planned, the step as run. Used instead of `adopt` when every cloud
   * resource it depends on was found by the same adoption (a step on a machine the stack
   * already tracked is never taken as run). Undefined: not recorded (the next deploy creates
   * it). Never used for an interrupted create, which `adopt` alone resolves.
   */
  recover?(inputs: PropertyMap, ctx: CallContext<Client> & { knownIds: readonly string[] }): Promise<CreateResult | undefined>;
}

export interface ConfigureContext {
  /** The environment the CLI runs with (credentials, regions). Providers never read process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
}

/** A resource a deploy is about to create or change, as a pre-flight check sees it. */
export interface PreflightItem {
  urn: string;
  type: string;
  op: 'create' | 'replace' | 'update';
  /** The planned inputs; values that depend on resources not created yet are UNKNOWN_VALUE. */
  inputs: PropertyMap;
  /** Where the resource comes from in the user's config (e.g. `node-pools.workers`), when known. */
  sourcePosition?: string;
}

/**
 * Something that would make the deploy fail, found before anything is created — or, with
 * severity 'warning', a check that could not be made (and why): the deploy goes on, saying so.
 */
export interface PreflightProblem {
  message: string;
  severity?: 'error' | 'warning';
  /** What to do about it. */
  hint?: string;
  /** The resource concerned, when there is one. */
  urn?: string;
}

/** One package (`aws`, `digitalocean`, `test`): its configuration and its resource types. */
export interface ProviderPackage<Client = unknown> {
  readonly name: string;
  /**
   * Validates a provider configuration (the inputs of a `pulumi:providers:<name>` resource)
   * and returns the client the resource types use. Throw to reject the configuration.
   */
  configure(config: PropertyMap, ctx: ConfigureContext): Promise<Client> | Client;
  /** Type token → implementation. */
  readonly resources: Readonly<Record<string, ResourceType<Client>>>;
  /** Classifies an error thrown by any call of this package. */
  classifyError(err: unknown): ErrorClass;
  /**
   * Checks, before a deploy creates anything, that what it will create can be created:
   * credentials present and valid (one cheap authenticated call), regions, sizes and images
   * exist, quotas allow the count where the API tells. Returns every problem found; throws
   * only for an unexpected failure. Called once per provider configuration in the plan.
   */
  preflight?(client: Client, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]>;
}

/** Maps package names to their implementations. The CLI fills it; tests register the test provider. */
export class ProviderRegistry {
  readonly #packages = new Map<string, ProviderPackage<never>>();

  register<C>(pkg: ProviderPackage<C>): this {
    if (this.#packages.has(pkg.name)) throw new Error(`provider package '${pkg.name}' is registered twice`);
    this.#packages.set(pkg.name, pkg as unknown as ProviderPackage<never>);
    return this;
  }

  get(name: string): ProviderPackage | undefined {
    return this.#packages.get(name) as ProviderPackage | undefined;
  }

  names(): string[] {
    return [...this.#packages.keys()].sort();
  }
}
