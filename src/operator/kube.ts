// The operator's access to the Kubernetes API, through @kubernetes/client-node: Stacks (watched
// into a cache, status and finalizers patched), the Secrets and ConfigMaps they reference
// (read when an update runs; watched as metadata only, so no credential is held in memory
// between updates or even sent over the watch), Events, and the Lease of leader election.
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  ListWatch,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubernetesObject, V1Lease, V1ObjectMeta } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from './crd.ts';
import type { StackResource, StackStatus } from './types.ts';

export { KubeConfig };

/** A Kubernetes API answer other than success: its HTTP status and the server's message. */
export class KubeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'KubeError';
    this.status = status;
  }
}

function kubeError(err: unknown, what: string): Error {
  if (err instanceof ApiException) {
    let message: string;
    try {
      const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { message?: string };
      message = body?.message ?? '';
    } catch {
      message = String(err.body).slice(0, 300);
    }
    return new KubeError(err.code, `${what}: ${message || `HTTP ${err.code}`}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function call<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw kubeError(err, what);
  }
}

const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** A KubeConfig whose requests ask for metadata only (for the watch of Secrets and ConfigMaps). */
function metadataOnly(kc: KubeConfig): KubeConfig {
  return new Proxy(kc, {
    get(target, prop, receiver) {
      if (prop === 'applySecurityAuthentication') {
        return async (ctx: { setHeaderParam(k: string, v: string): void }) => {
          await target.applySecurityAuthentication(ctx as Parameters<KubeConfig['applySecurityAuthentication']>[0]);
          ctx.setHeaderParam('Accept', METADATA_ONLY);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * A watch the server ends (cleanly, with bookmarks on the way) before the client's own 30 s
 * inactivity timeout; the ListWatch then watches again from the last resourceVersion.
 */
class ServerTimedWatch extends Watch {
  override watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, obj: unknown, watchObj?: unknown) => void, done: (err: unknown) => void): Promise<AbortController> {
    return super.watch(path, { ...query, timeoutSeconds: 25, allowWatchBookmarks: true }, callback, done);
  }
}

export interface Watched<T extends KubernetesObject> {
  /** The cached objects (for Secrets and ConfigMaps: their metadata only). */
  list(): T[];
  get(name: string, namespace: string): T | undefined;
  stop(): Promise<void>;
}

export type WatchHandler<T> = (kind: 'add' | 'update' | 'delete', obj: T) => void;

export class Kube {
  readonly kc: KubeConfig;
  readonly #custom: CustomObjectsApi;
  readonly #core: CoreV1Api;
  readonly #coordination: CoordinationV1Api;
  /** Who writes Events (the replica's identity). */
  readonly instance: string;

  constructor(kc: KubeConfig, instance: string = hostname()) {
    this.kc = kc;
    this.#custom = kc.makeApiClient(CustomObjectsApi);
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#coordination = kc.makeApiClient(CoordinationV1Api);
    this.instance = instance;
  }

  /**
   * Lists and watches Stacks (in `namespace`, or every namespace), calling `onChange` for each
   * change; reconnects after errors with a growing pause. Resolves once the first list is in.
   */
  watchStacks(namespace: string | undefined, onChange: WatchHandler<StackResource>, onError: (err: unknown) => void): Promise<Watched<StackResource>> {
    const path = namespace ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}` : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
    const list = () =>
      call(`list ${PLURAL}`, () =>
        namespace
          ? this.#custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })
          : this.#custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }),
      ) as Promise<{ items: StackResource[]; metadata?: { resourceVersion?: string } }>;
    return this.#watch(path, new ServerTimedWatch(this.kc), list, onChange, onError);
  }

  /** Watches the metadata of Secrets or ConfigMaps; their data never reaches the operator this way. */
  watchMetadata(resource: 'secrets' | 'configmaps', namespace: string | undefined, onChange: WatchHandler<KubernetesObject>, onError: (err: unknown) => void): Promise<Watched<KubernetesObject>> {
    const path = namespace ? `/api/v1/namespaces/${namespace}/${resource}` : `/api/v1/${resource}`;
    const header = setHeaderOptions('Accept', METADATA_LIST);
    const list = () =>
      call(`list ${resource}`, () => {
        if (resource === 'secrets') return namespace ? this.#core.listNamespacedSecret({ namespace }, header) : this.#core.listSecretForAllNamespaces({}, header);
        return namespace ? this.#core.listNamespacedConfigMap({ namespace }, header) : this.#core.listConfigMapForAllNamespaces({}, header);
      }) as Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }>;
    return this.#watch(path, new ServerTimedWatch(metadataOnly(this.kc)), list, onChange, onError);
  }

  async #watch<T extends KubernetesObject>(
    path: string,
    watch: Watch,
    list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
    onChange: WatchHandler<T>,
    onError: (err: unknown) => void,
  ): Promise<Watched<T>> {
    const lw = new ListWatch<T>(path, watch, list as never, false);
    let stopped = false;
    let pause = 500;
    lw.on('add', (o) => onChange('add', o));
    lw.on('update', (o) => onChange('update', o));
    lw.on('delete', (o) => onChange('delete', o));
    lw.on('connect', () => (pause = 500));
    lw.on('error', (err) => {
      if (stopped) return;
      onError(err);
      // The ListWatch stops on an error: start again after a pause (doubling, up to 30 s).
      setTimeout(() => {
        if (!stopped) lw.start().catch(onError);
      }, pause).unref();
      pause = Math.min(pause * 2, 30_000);
    });
    await lw.start();
    return {
      list: () => [...lw.list()],
      get: (name, namespace) => lw.get(name, namespace),
      stop: async () => {
        stopped = true;
        await lw.stop();
      },
    };
  }

  async getStack(namespace: string, name: string): Promise<StackResource | undefined> {
    try {
      return (await this.#custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as StackResource;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw kubeError(err, `get stack ${namespace}/${name}`);
    }
  }

  /** Merges `status` into the Stack's status (null removes a field). */
  async patchStatus(stack: StackResource, status: Partial<Record<keyof StackStatus, unknown>>): Promise<StackResource> {
    const { namespace, name } = stack.metadata as Required<Pick<V1ObjectMeta, 'namespace' | 'name'>>;
    return call(`patch status of stack ${namespace}/${name}`, () =>
      this.#custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    ) as Promise<StackResource>;
  }

  /** Sets metadata fields (finalizers, annotations) if the Stack is still at `resourceVersion` (a conflict is a KubeError 409). */
  async patchMetadata(stack: StackResource, metadata: Record<string, unknown>, guard = true): Promise<StackResource> {
    const { namespace, name, resourceVersion } = stack.metadata as Required<Pick<V1ObjectMeta, 'namespace' | 'name' | 'resourceVersion'>>;
    return call(`patch stack ${namespace}/${name}`, () =>
      this.#custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { metadata: { ...metadata, ...(guard ? { resourceVersion } : {}) } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ) as Promise<StackResource>;
  }

  /** One key of a Secret or ConfigMap, as text; undefined when the object or the key is missing. */
  async readKey(kind: 'Secret' | 'ConfigMap', namespace: string, name: string, key: string): Promise<string | undefined> {
    try {
      if (kind === 'Secret') {
        const s = await this.#core.readNamespacedSecret({ namespace, name });
        const v = s.data?.[key];
        return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
      }
      const c = await this.#core.readNamespacedConfigMap({ namespace, name });
      return c.data?.[key] ?? (c.binaryData?.[key] !== undefined ? Buffer.from(c.binaryData[key], 'base64').toString('utf8') : undefined);
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw kubeError(err, `read ${kind} ${namespace}/${name}`);
    }
  }

  /** Records a Kubernetes Event on the Stack. Never throws: an Event that cannot be written is only logged. */
  async event(stack: StackResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const m = stack.metadata!;
    const now = new Date();
    await this.#core.createNamespacedEvent({
      namespace: m.namespace!,
      body: {
        metadata: { generateName: `${m.name}.`, namespace: m.namespace },
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
        type,
        reason,
        message: message.slice(0, 1000),
        source: { component: 'sloth-kubernetes-operator', host: this.instance },
        reportingComponent: 'sloth-kubernetes.io/operator',
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }

  async readLease(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return await this.#coordination.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw kubeError(err, `read lease ${namespace}/${name}`);
    }
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return call(`create lease ${namespace}/${body.metadata?.name}`, () => this.#coordination.createNamespacedLease({ namespace, body }));
  }

  /** Replaces the Lease; a KubeError 409 when someone else wrote it since it was read. */
  replaceLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return call(`update lease ${namespace}/${body.metadata?.name}`, () => this.#coordination.replaceNamespacedLease({ namespace, name: body.metadata!.name!, body }));
  }
}

/** The API server's answer said the object changed meanwhile (or already exists). */
export const isConflict = (err: unknown): boolean => err instanceof KubeError && err.status === 409;
