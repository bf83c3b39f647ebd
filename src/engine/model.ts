// The desired state the engine converges a stack to: resources with their options. The
// cluster planner builds it with `DesiredGraph`; the engine never sees Lisp or clusters.
import type { CustomTimeouts, PropertyMap, ResourceState } from '../state/types.ts';
import { OutputRef } from './values.ts';
import type { InputMap } from './values.ts';
import {
  defaultProviderUrn,
  isProviderType,
  makeUrn,
  packageOf,
  PROVIDER_TYPE_PREFIX,
  qualifiedTypeForChildren,
  rootStackUrn,
} from './urn.ts';

export interface ResourceOptions {
  /** A component (or the root stack) that groups this resource; default: the root stack. */
  parent?: ResourceHandle;
  /** An explicit provider configuration; default: `pulumi:providers:<package>::default`. */
  provider?: ResourceHandle;
  /** Explicit dependencies, on top of those implied by output references. */
  dependsOn?: ResourceHandle[];
  /** Top-level input keys stored (and shown) as secrets. */
  secretInputs?: string[];
  /** Output keys stored as secrets (outputs named like a secret input are secret anyway). */
  additionalSecretOutputs?: string[];
  /** Refuse to delete or replace. */
  protect?: boolean;
  /** On delete, forget the object instead of deleting it in the cloud. */
  retainOnDelete?: boolean;
  /** Extra input keys whose change forces replacement. */
  replaceOnChanges?: string[];
  /** Replace by deleting first, then creating (for objects whose names must be unique). */
  deleteBeforeReplace?: boolean;
  /** Per-operation time limits in seconds. */
  customTimeouts?: CustomTimeouts;
  /** Where the resource comes from in the user's config (e.g. `node-pools.workers`), for messages. */
  sourcePosition?: string;
}

export interface ResourceSpec {
  urn: string;
  type: string;
  name: string;
  /** False for components: no provider and no cloud object; their outputs are given. */
  custom: boolean;
  inputs: InputMap;
  /** Components only. */
  outputs?: PropertyMap;
  parent?: string;
  /** URN of the provider resource (custom resources only). */
  provider?: string;
  dependsOn: string[];
  secretInputs?: string[];
  additionalSecretOutputs?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  replaceOnChanges?: string[];
  deleteBeforeReplace?: boolean;
  customTimeouts?: CustomTimeouts;
  sourcePosition?: string;
}

export interface DesiredState {
  stack: string;
  /** Every resource except the root stack, which the engine manages itself. */
  resources: ResourceSpec[];
  /** The root stack's outputs; undefined keeps the ones already stored. */
  stackOutputs?: PropertyMap;
  /**
   * Outputs read from the applied resources (a kubeconfig fetched by a step, addresses the
   * cloud assigned), merged over `stackOutputs` after a complete, untargeted apply.
   */
  computeOutputs?: (resources: readonly ResourceState[]) => PropertyMap;
  /**
   * The keys `computeOutputs` may produce. A plan that changes no resource computes them from
   * the stack as it is (so an unchanged deploy shows no output change); a plan that changes
   * resources shows each of them as "(known after apply)".
   */
  computedOutputKeys?: readonly string[];
  /**
   * The form the stack stores root outputs in (the state layer wraps credential-bearing keys
   * as secrets on write). Plans and applies compare outputs in that form, so a value the
   * stack holds as a secret equals the same value given in the clear.
   */
  protectOutputs?: (outputs: PropertyMap) => PropertyMap;
  /** Turns a resource's `sourcePosition` (a config path) into FILE:LINE:COL for messages. */
  locateSource?: (sourcePosition: string) => string | undefined;
}

export interface ResourceHandle {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** A reference to one of this resource's outputs, for another resource's inputs. */
  output(...path: (string | number)[]): OutputRef;
}

function handle(urn: string, type: string, name: string): ResourceHandle {
  return { urn, type, name, output: (...path) => new OutputRef(urn, path) };
}

/** Builds a DesiredState: URNs, default providers and parents are filled in. */
export class DesiredGraph {
  readonly stack: string;
  readonly root: ResourceHandle;
  readonly #specs = new Map<string, ResourceSpec>();
  /** Default providers added implicitly; an explicit provider(pkg, 'default', …) replaces them. */
  readonly #implicit = new Set<string>();
  stackOutputs: PropertyMap | undefined;
  computeOutputs: DesiredState['computeOutputs'];
  computedOutputKeys: DesiredState['computedOutputKeys'];
  protectOutputs: DesiredState['protectOutputs'];
  locateSource: DesiredState['locateSource'];

  constructor(stack: string) {
    this.stack = stack;
    const urn = rootStackUrn(stack);
    this.root = handle(urn, 'pulumi:pulumi:Stack', urn.slice(urn.lastIndexOf('::') + 2));
  }

  /** An explicit provider configuration (e.g. a second AWS region). */
  provider(pkg: string, name: string, config: InputMap = {}, options: Pick<ResourceOptions, 'secretInputs' | 'dependsOn' | 'sourcePosition'> = {}): ResourceHandle {
    return this.#add({ type: `${PROVIDER_TYPE_PREFIX}${pkg}`, name, inputs: config, custom: true, options });
  }

  /** A cloud resource managed through its package's provider. */
  resource(type: string, name: string, inputs: InputMap, options: ResourceOptions = {}): ResourceHandle {
    if (isProviderType(type)) throw new Error(`use provider() for ${type}`);
    return this.#add({ type, name, inputs, custom: true, options });
  }

  /** A logical grouping with outputs of its own and no cloud object. */
  component(type: string, name: string, outputs: PropertyMap = {}, options: Pick<ResourceOptions, 'parent' | 'dependsOn' | 'protect'> = {}): ResourceHandle {
    return this.#add({ type, name, inputs: {}, custom: false, options, outputs });
  }

  get(urn: string): ResourceSpec | undefined {
    return this.#specs.get(urn);
  }

  build(): DesiredState {
    return {
      stack: this.stack,
      resources: [...this.#specs.values()],
      stackOutputs: this.stackOutputs,
      computeOutputs: this.computeOutputs,
      computedOutputKeys: this.computedOutputKeys,
      protectOutputs: this.protectOutputs,
      locateSource: this.locateSource,
    };
  }

  #add(args: { type: string; name: string; inputs: InputMap; custom: boolean; options: ResourceOptions; outputs?: PropertyMap }): ResourceHandle {
    const { type, name, inputs, custom, options } = args;
    const parent = options.parent?.urn ?? this.root.urn;
    const urn = makeUrn(this.stack, type, name, parent === this.root.urn ? undefined : qualifiedTypeForChildren(parent));
    if (this.#implicit.delete(urn)) this.#specs.delete(urn);
    if (this.#specs.has(urn)) throw new Error(`two resources have the URN ${urn}; give them different names`);
    let provider: string | undefined;
    if (custom && !isProviderType(type)) {
      provider = options.provider?.urn ?? this.#ensureDefaultProvider(packageOf(type));
      if (options.provider && packageOf(options.provider.type) !== packageOf(type)) {
        throw new Error(`${urn}: provider ${options.provider.urn} is for package '${packageOf(options.provider.type)}', not '${packageOf(type)}'`);
      }
    }
    this.#specs.set(urn, {
      urn,
      type,
      name,
      custom,
      inputs,
      outputs: args.outputs,
      parent: isProviderType(type) && !options.parent ? undefined : parent,
      provider,
      dependsOn: (options.dependsOn ?? []).map((d) => d.urn),
      secretInputs: options.secretInputs,
      additionalSecretOutputs: options.additionalSecretOutputs,
      protect: options.protect,
      retainOnDelete: options.retainOnDelete,
      replaceOnChanges: options.replaceOnChanges,
      deleteBeforeReplace: options.deleteBeforeReplace,
      customTimeouts: options.customTimeouts,
      ...(options.sourcePosition ? { sourcePosition: options.sourcePosition } : {}),
    });
    return handle(urn, type, name);
  }

  #ensureDefaultProvider(pkg: string): string {
    const urn = defaultProviderUrn(this.stack, pkg);
    if (!this.#specs.has(urn)) {
      this.#specs.set(urn, { urn, type: `${PROVIDER_TYPE_PREFIX}${pkg}`, name: 'default', custom: true, inputs: {}, dependsOn: [] });
      this.#implicit.add(urn);
    }
    return urn;
  }
}
