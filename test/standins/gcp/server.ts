// A stateful stand-in for the part of Google Cloud the provider uses: the STS token exchange
// of a workload identity federation credential, Compute Engine (projects, regions, zones, machine types,
// images, networks, subnetworks, firewalls, instances, addresses, target pools, forwarding
// rules, and the global, regional and zonal operations) and Cloud DNS (managed zones, record
// sets, changes). It serves HTTPS on loopback. Every Compute Engine request is matched to its
// RPC by the `google.api.http` rules of the protobuf descriptors @google-cloud/compute ships,
// and its query, body and answer are checked against those descriptors (./protos.ts): a
// request that breaks them is refused with 400, and every violation, either way, is kept for
// `assertClean()`. Cloud DNS has no descriptors in the client packages: its bodies are not
// checked (see README.md).
//
// Inserts, patches and deletes return RUNNING operations that finish after `operationMs`;
// `wait` answers when they have (or after `waitCapMs`). It refuses what GCP refuses where
// the provider could go wrong: a name already taken, a parent or reference that does not
// exist, deleting what is in use, a machine type not offered in the zone, a stale label
// fingerprint, a DNS change whose deletion does not match.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyType, checkMessage, checkQuery, rpcFor } from './protos.ts';

export const PROJECT = 'sloth-standin';
/** The workload identity pool provider the stand-in's credential federates with, and the token it accepts. */
export const AUDIENCE = '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/standin/providers/tests';
export const SUBJECT_TOKEN = 'standin-subject-token';

export const ZONES: Record<string, string[]> = { 'us-central1': ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'], 'europe-west1': ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] };
export const MACHINE_TYPES: Record<string, { cpus: number; notIn?: string[] }> = {
  'e2-medium': { cpus: 2 },
  'e2-standard-2': { cpus: 2 },
  'e2-standard-4': { cpus: 4 },
  'n2-standard-8': { cpus: 8, notIn: ['us-central1-f', 'europe-west1-d'] },
};
/** Public images: project → family → image name. */
export const IMAGES: Record<string, Record<string, string>> = { 'ubuntu-os-cloud': { 'ubuntu-2404-lts-amd64': 'ubuntu-2404-noble-amd64-v20251001', 'ubuntu-2204-lts': 'ubuntu-2204-jammy-v20251001' } };

export interface GcpStandinOptions {
  tls: { key: string; cert: string };
  operationMs?: number;
  /** The longest a `wait` holds its answer (GCP: two minutes). */
  waitCapMs?: number;
  /** Cloud DNS zones (DNS names without the final dot). */
  zones?: string[];
  cpuQuota?: number;
  addressQuota?: number;
}

type Kind = 'network' | 'subnetwork' | 'firewall' | 'instance' | 'address' | 'targetPool' | 'forwardingRule';
const COLLECTION: Record<Kind, string> = { network: 'networks', subnetwork: 'subnetworks', firewall: 'firewalls', instance: 'instances', address: 'addresses', targetPool: 'targetPools', forwardingRule: 'forwardingRules' };
const SERVICE: Record<string, Kind> = { Networks: 'network', Subnetworks: 'subnetwork', Firewalls: 'firewall', Instances: 'instance', Addresses: 'address', TargetPools: 'targetPool', ForwardingRules: 'forwardingRule' };

export interface GcpObject {
  kind: Kind;
  /** `global`, `regions/R` or `zones/Z`. */
  scope: string;
  body: Record<string, unknown>;
  /** Set by delete: gone when its operation finishes. */
  goneAt?: number;
}

interface Operation {
  body: Record<string, unknown>;
  doneAt: number;
  effect?: () => void;
}

class GcpError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  rpc?: string;
}

export class GcpStandin {
  url = '';
  readonly objects = new Map<string, GcpObject>();
  readonly records = new Map<string, { name: string; type: string; ttl: number; rrdatas: string[] }>();
  readonly log: RequestLogEntry[] = [];
  readonly violations: string[] = [];
  readonly zones: string[];
  readonly #ops = new Map<string, Operation>();
  readonly #changes = new Map<string, { doneAt: number; body: Record<string, unknown> }>();
  readonly #tokens = new Set<string>();
  readonly #opMs: number;
  readonly #waitCapMs: number;
  readonly #cpuQuota: number;
  readonly #addressQuota: number;
  readonly #faults: { status: number; match?: RegExp; body?: unknown; left: number }[] = [];
  #nextId = 1000;
  #nextIp = 10;
  #server: Server;

  constructor(options: GcpStandinOptions) {
    this.#opMs = options.operationMs ?? 100;
    this.#waitCapMs = options.waitCapMs ?? 2000;
    this.zones = options.zones ?? [];
    this.#cpuQuota = options.cpuQuota ?? 24;
    this.#addressQuota = options.addressQuota ?? 16;
    this.#server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => void this.#handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  failNext(count: number, fault: { status: number; match?: RegExp; body?: unknown }): void {
    this.#faults.push({ ...fault, left: count });
  }

  of(kind: Kind): GcpObject[] {
    this.#settle();
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  inventory(): Record<Kind | 'record', number> {
    this.#settle();
    const out = { network: 0, subnetwork: 0, firewall: 0, instance: 0, address: 0, targetPool: 0, forwardingRule: 0, record: this.records.size } as Record<Kind | 'record', number>;
    for (const o of this.objects.values()) out[o.kind]++;
    return out;
  }

  assertClean(): void {
    if (this.violations.length > 0) throw new Error(`the GCP stand-in saw ${this.violations.length} break(s) of the Compute Engine descriptors:\n  ${this.violations.join('\n  ')}`);
  }

  /** The user data an instance was made with. */
  userDataOf(name: string): string | undefined {
    const vm = this.of('instance').find((o) => o.body.name === name);
    return ((vm?.body.metadata as { items?: { key: string; value: string }[] } | undefined)?.items ?? []).find((i) => i.key === 'user-data')?.value;
  }

  #settle(): void {
    const now = Date.now();
    for (const op of this.#ops.values()) {
      if (op.doneAt <= now && op.body.status !== 'DONE') {
        op.effect?.();
        op.body.status = 'DONE';
        op.body.progress = 100;
        op.body.endTime = new Date().toISOString();
      }
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const entry: RequestLogEntry = { method, path: url.pathname + url.search, status: 500 };
    const send = (status: number, body: unknown) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    try {
      if (url.pathname === '/token' && method === 'POST') return this.#token(new URLSearchParams(text), send);
      const auth = req.headers.authorization ?? '';
      if (!this.#tokens.has(auth.replace(/^Bearer /, ''))) throw new GcpError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      const fault = this.#faults.find((f) => f.left > 0 && (!f.match || f.match.test(`${method} ${url.pathname}`)));
      if (fault) {
        fault.left--;
        if (fault.body === undefined) throw new GcpError(fault.status, fault.status === 429 ? 'rateLimitExceeded' : 'backendError', 'injected by the test');
      }
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      this.#settle();
      if (url.pathname.startsWith('/dns/v1/')) return send(...(await this.#dns(method, url, body)));
      const rpc = rpcFor(method, url.pathname);
      if (!rpc) {
        this.violations.push(`${method} ${url.pathname}: no RPC of the Compute Engine API has this HTTP rule`);
        throw new GcpError(404, 'notFound', `The requested URL ${url.pathname} was not found on this server.`);
      }
      entry.rpc = rpc.name;
      const problems = [...checkQuery(rpc, url.searchParams)];
      const type = bodyType(rpc);
      if (type) problems.push(...(body === undefined ? [`${rpc.name}: the ${rpc.bodyField} body is REQUIRED`] : checkMessage(type, body)));
      else if (body !== undefined && Object.keys(body).length > 0) problems.push(`${rpc.name}: takes no body`);
      if (problems.length > 0) {
        this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
        throw new GcpError(400, 'invalid', `Invalid request: ${problems.join('; ')}`);
      }
      let answer = await this.#compute(rpc.name, rpc.params, body);
      if (fault?.body !== undefined) answer = fault.body;
      this.violations.push(...checkMessage(rpc.responseType, answer).map((p) => `answer to ${method} ${url.pathname}: ${p}`));
      send(200, answer);
    } catch (err) {
      const e = err instanceof GcpError ? err : new GcpError(500, 'backendError', (err as Error).message);
      send(e.status, { error: { code: e.status, message: e.message, errors: [{ domain: 'global', reason: e.reason, message: e.message }] } });
    } finally {
      this.log.push(entry);
    }
  }

  /** The STS token exchange of a workload identity federation credential (`external_account`). */
  #token(form: URLSearchParams, send: (status: number, body: unknown) => void): void {
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || form.get('subject_token') !== SUBJECT_TOKEN || form.get('audience') !== AUDIENCE) {
      return send(400, { error: 'invalid_grant', error_description: 'The subject token or audience is not valid.' });
    }
    const token = `ya29.standin-${randomUUID()}`;
    this.#tokens.add(token);
    send(200, { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3599 });
  }

  // ---- Compute Engine ----

  #link(scope: string, kind: Kind, name: string): string {
    return `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${scope}/${COLLECTION[kind]}/${name}`;
  }

  /** The object a URL or partial path names, if it exists. */
  #resolve(ref: unknown, kind: Kind): GcpObject | undefined {
    if (typeof ref !== 'string') return undefined;
    const m = new RegExp(`(global|regions/[^/]+|zones/[^/]+)/${COLLECTION[kind]}/([^/]+)$`).exec(ref);
    const o = m ? this.objects.get(`${m[1]}/${COLLECTION[kind]}/${m[2]}`) : undefined;
    return o && !o.goneAt ? o : undefined;
  }

  #operation(scope: string, type: string, target: string, effect?: () => void, doneNow = false): Record<string, unknown> {
    const name = `operation-${Date.now()}-${randomUUID().slice(0, 8)}`;
    const where = scope === 'global' ? {} : scope.startsWith('zones/') ? { zone: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${scope}` } : { region: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${scope}` };
    const body: Record<string, unknown> = {
      kind: 'compute#operation',
      id: String(this.#nextId++),
      name,
      operationType: type,
      targetLink: target,
      status: 'RUNNING',
      progress: 0,
      insertTime: new Date().toISOString(),
      startTime: new Date().toISOString(),
      selfLink: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${scope}/operations/${name}`,
      ...where,
    };
    this.#ops.set(name, { body, doneAt: Date.now() + (doneNow ? 0 : this.#opMs), effect });
    return structuredClone(body);
  }

  async #compute(rpc: string, p: Record<string, string>, body: Record<string, unknown> | undefined): Promise<unknown> {
    if (p.project && p.project !== PROJECT && !(rpc.startsWith('Images.') && IMAGES[p.project])) throw new GcpError(404, 'notFound', `The resource 'projects/${p.project}' was not found`);
    const [service, method] = rpc.split('.') as [string, string];
    switch (rpc) {
      case 'Projects.Get':
        return { kind: 'compute#project', id: '12345', name: PROJECT, quotas: [{ metric: 'NETWORKS', limit: 15, usage: this.of('network').length }, { metric: 'FIREWALLS', limit: 200, usage: this.of('firewall').length }] };
      case 'Regions.Get': {
        if (!ZONES[p.region!]) throw new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/regions/${p.region}' was not found`);
        const cpus = this.of('instance').filter((o) => o.scope.startsWith(`zones/${p.region}-`)).reduce((n, o) => n + MACHINE_TYPES[String(o.body.machineType).split('/').pop()!]!.cpus, 0);
        const addresses = this.of('instance').filter((o) => o.scope.startsWith(`zones/${p.region}-`)).length + this.of('address').filter((o) => o.scope === `regions/${p.region}`).length;
        return { kind: 'compute#region', name: p.region, status: 'UP', zones: ZONES[p.region!]!.map((z) => `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${z}`), quotas: [{ metric: 'CPUS', limit: this.#cpuQuota, usage: cpus }, { metric: 'IN_USE_ADDRESSES', limit: this.#addressQuota, usage: addresses }] };
      }
      case 'Zones.Get':
        if (!Object.values(ZONES).flat().includes(p.zone!)) throw new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/zones/${p.zone}' was not found`);
        return { kind: 'compute#zone', name: p.zone, status: 'UP', region: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${p.zone!.replace(/-[a-z]$/, '')}` };
      case 'MachineTypes.Get': {
        const mt = MACHINE_TYPES[p.machineType!];
        if (!mt || mt.notIn?.includes(p.zone!) || !Object.values(ZONES).flat().includes(p.zone!)) throw new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/zones/${p.zone}/machineTypes/${p.machineType}' was not found`);
        return { kind: 'compute#machineType', name: p.machineType, guestCpus: mt.cpus, memoryMb: mt.cpus * 4096, zone: p.zone };
      }
      case 'Images.GetFromFamily':
      case 'Images.Get': {
        const family = IMAGES[p.project!] ?? {};
        const name = rpc === 'Images.Get' ? (Object.values(family).includes(p.image!) ? p.image : undefined) : family[p.family!];
        if (!name) throw new GcpError(404, 'notFound', `The resource 'projects/${p.project}/global/images/${rpc === 'Images.Get' ? p.image : `family/${p.family}`}' was not found`);
        return { kind: 'compute#image', name, status: 'READY', family: Object.entries(family).find(([, v]) => v === name)![0], selfLink: `https://www.googleapis.com/compute/v1/projects/${p.project}/global/images/${name}` };
      }
      case 'GlobalOperations.Wait':
      case 'RegionOperations.Wait':
      case 'ZoneOperations.Wait':
      case 'GlobalOperations.Get':
      case 'RegionOperations.Get':
      case 'ZoneOperations.Get': {
        const op = this.#ops.get(p.operation!);
        if (!op) throw new GcpError(404, 'notFound', `The resource 'operations/${p.operation}' was not found`);
        if (method === 'Wait') {
          const until = Math.min(op.doneAt, Date.now() + this.#waitCapMs);
          if (until > Date.now()) await sleep(until - Date.now());
          this.#settle();
        }
        return structuredClone(op.body);
      }
    }
    const kind = SERVICE[service];
    if (!kind) throw new GcpError(501, 'notImplemented', `the stand-in does not implement ${rpc}`);
    const scope = p.zone ? `zones/${p.zone}` : p.region ? `regions/${p.region}` : 'global';
    if (p.zone && !Object.values(ZONES).flat().includes(p.zone)) throw new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/zones/${p.zone}' was not found`);
    if (p.region && !ZONES[p.region]) throw new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/regions/${p.region}' was not found`);
    const nameParam = { network: 'network', subnetwork: 'subnetwork', firewall: 'firewall', instance: 'instance', address: 'address', targetPool: 'targetPool', forwardingRule: 'forwardingRule' }[kind];
    const name = p[nameParam] ?? p.resource;
    const key = (n: string) => `${scope}/${COLLECTION[kind]}/${n}`;
    const found = name ? this.objects.get(key(name)) : undefined;
    const existing = found && !found.goneAt ? found : undefined;
    const notFound = () => new GcpError(404, 'notFound', `The resource 'projects/${PROJECT}/${key(name!)}' was not found`);
    if (method === 'Get') {
      if (!existing) throw notFound();
      return structuredClone(existing.body);
    }
    if (method === 'Insert') {
      const res = body!;
      const n = String(res.name ?? '');
      if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n)) throw new GcpError(400, 'invalid', `Invalid value for field 'resource.name': '${n}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
      if (this.objects.has(key(n))) throw new GcpError(409, 'alreadyExists', `The resource 'projects/${PROJECT}/${key(n)}' already exists`);
      const made = this.#make(kind, scope, structuredClone(res));
      const o: GcpObject = { kind, scope, body: made };
      this.objects.set(key(n), o);
      return this.#operation(scope, 'insert', String(made.selfLink));
    }
    if (!existing) throw notFound();
    if (method === 'Delete') {
      this.#checkDeletable(existing);
      const op = this.#operation(scope, 'delete', String(existing.body.selfLink), () => this.objects.delete(key(name!)));
      existing.goneAt = Date.now() + this.#opMs;
      return op;
    }
    const b = existing.body;
    switch (method) {
      case 'Update':
      case 'Patch': {
        const res = this.#make(kind, scope, { ...(method === 'Patch' ? b : {}), ...structuredClone(body!), name: b.name });
        existing.body = { ...res, id: b.id, creationTimestamp: b.creationTimestamp };
        break;
      }
      case 'SetLabels': {
        const req = (body!.instancesSetLabelsRequestResource ?? body!) as { labels?: Record<string, string>; labelFingerprint?: string };
        if (req.labelFingerprint !== b.labelFingerprint) throw new GcpError(412, 'conditionNotMet', 'Labels fingerprint either invalid or resource labels have changed');
        b.labels = req.labels ?? {};
        b.labelFingerprint = randomUUID().slice(0, 12);
        break;
      }
      case 'SetTags': {
        const tags = b.tags as { fingerprint?: string };
        if ((body as { fingerprint?: string }).fingerprint !== tags.fingerprint) throw new GcpError(412, 'conditionNotMet', 'Supplied fingerprint does not match current metadata fingerprint.');
        b.tags = { items: (body as { items?: string[] }).items ?? [], fingerprint: randomUUID().slice(0, 12) };
        break;
      }
      case 'AddInstance':
      case 'RemoveInstance': {
        const refs = ((body as { instances?: { instance: string }[] }).instances ?? []).map((i) => i.instance);
        for (const r of refs) if (method === 'AddInstance' && !this.#resolve(r, 'instance')) throw new GcpError(400, 'invalid', `The resource '${r}' was not found`);
        const links = refs.map((r) => this.#resolve(r, 'instance')?.body.selfLink ?? r);
        const have = (b.instances as string[] | undefined) ?? [];
        b.instances = method === 'AddInstance' ? [...new Set([...have, ...links])] : have.filter((h) => !links.some((l) => String(l).endsWith(h.replace(/^https:\/\/[^/]+\/compute\/v1\//, ''))));
        break;
      }
      default:
        throw new GcpError(501, 'notImplemented', `the stand-in does not implement ${rpc}`);
    }
    return this.#operation(scope, method.replace(/^./, (c) => c.toLowerCase()), String(b.selfLink));
  }

  /** The object as GCP stores it: what was sent, checked, with the fields GCP fills in. */
  #make(kind: Kind, scope: string, res: Record<string, unknown>): Record<string, unknown> {
    const name = String(res.name);
    const common = { ...res, kind: `compute#${kind}`, id: String(this.#nextId++), creationTimestamp: new Date().toISOString(), selfLink: this.#link(scope, kind, name) };
    const scopeUrl = (s: string) => `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${s}`;
    switch (kind) {
      case 'network':
        if (res.autoCreateSubnetworks !== false) throw new GcpError(400, 'invalid', 'sloth stand-in: auto-mode networks are not modelled');
        return { ...common, subnetworks: [] };
      case 'subnetwork':
        if (!this.#resolve(res.network, 'network')) throw new GcpError(400, 'invalid', `The resource '${String(res.network)}' of type 'network' was not found`);
        return { ...common, network: this.#resolve(res.network, 'network')!.body.selfLink, region: scopeUrl(scope), gatewayAddress: String(res.ipCidrRange).replace(/\d+\/\d+$/, '1') };
      case 'firewall':
        if (!this.#resolve(res.network, 'network')) throw new GcpError(400, 'invalid', `The resource '${String(res.network)}' of type 'network' was not found`);
        if (!(res.sourceRanges as unknown[] | undefined)?.length && !(res.sourceTags as unknown[] | undefined)?.length) throw new GcpError(400, 'invalid', 'Invalid value for field \'resource.sourceRanges\': at least one source is required.');
        return { ...common, network: this.#resolve(res.network, 'network')!.body.selfLink };
      case 'instance': {
        const zone = scope.slice('zones/'.length);
        const type = String(res.machineType).split('/').pop()!;
        const mt = MACHINE_TYPES[type];
        if (!mt || mt.notIn?.includes(zone)) throw new GcpError(400, 'invalid', `Invalid value for field 'resource.machineType': '${String(res.machineType)}'. Machine type with name '${type}' does not exist in zone '${zone}'.`);
        const nic = (res.networkInterfaces as Record<string, unknown>[] | undefined)?.[0] ?? {};
        const subnet = this.#resolve(nic.subnetwork, 'subnetwork');
        if (!subnet) throw new GcpError(400, 'invalid', `The resource '${String(nic.subnetwork)}' of type 'subnetwork' was not found`);
        const source = String(((res.disks as Record<string, unknown>[] | undefined)?.[0]?.initializeParams as { sourceImage?: string } | undefined)?.sourceImage);
        const im = /projects\/([^/]+)\/global\/images\/(?:family\/)?([^/]+)$/.exec(source);
        if (!im || !(IMAGES[im[1]!]?.[im[2]!] || Object.values(IMAGES[im[1]!] ?? {}).includes(im[2]!))) throw new GcpError(404, 'notFound', `The resource '${source}' was not found`);
        const prefix = String(subnet.body.ipCidrRange).split('/')[0]!.split('.').slice(0, 3).join('.');
        const external = ((nic.accessConfigs as Record<string, unknown>[] | undefined) ?? []).map((a) => ({ ...a, kind: 'compute#accessConfig', natIP: `34.120.0.${this.#nextIp++}`, networkTier: 'PREMIUM' }));
        return {
          ...common,
          machineType: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/${zone}/machineTypes/${type}`,
          zone: scopeUrl(scope),
          status: 'RUNNING',
          labelFingerprint: randomUUID().slice(0, 12),
          tags: { items: (res.tags as { items?: string[] } | undefined)?.items ?? [], fingerprint: randomUUID().slice(0, 12) },
          networkInterfaces: [{ ...nic, name: 'nic0', network: subnet.body.network, subnetwork: subnet.body.selfLink, networkIP: `${prefix}.${this.#nextIp++}`, accessConfigs: external }],
        };
      }
      case 'address':
        return { ...common, address: `34.98.0.${this.#nextIp++}`, status: 'RESERVED', region: scopeUrl(scope), labelFingerprint: randomUUID().slice(0, 12), users: [] };
      case 'targetPool': {
        const links = ((res.instances as string[] | undefined) ?? []).map((r) => {
          const vm = this.#resolve(r, 'instance');
          if (!vm) throw new GcpError(400, 'invalid', `The resource '${r}' was not found`);
          return String(vm.body.selfLink);
        });
        return { ...common, instances: links, region: scopeUrl(scope) };
      }
      case 'forwardingRule': {
        const pool = this.#resolve(res.target, 'targetPool');
        if (!pool) throw new GcpError(400, 'invalid', `The resource '${String(res.target)}' was not found`);
        const addr = this.of('address').find((a) => a.scope === scope && (a.body.address === res.IPAddress || a.body.selfLink === res.IPAddress));
        if (!addr) throw new GcpError(400, 'invalid', `Invalid value for field 'resource.IPAddress': '${String(res.IPAddress)}'. The address is not reserved in ${scope}.`);
        addr.body.status = 'IN_USE';
        addr.body.users = [...((addr.body.users as string[]) ?? []), this.#link(scope, kind, String(res.name))];
        return { ...common, target: pool.body.selfLink, region: scopeUrl(scope), labelFingerprint: randomUUID().slice(0, 12) };
      }
    }
  }

  #checkDeletable(o: GcpObject): void {
    const link = String(o.body.selfLink);
    const users: string[] = [];
    for (const x of this.objects.values()) {
      if (x.goneAt) continue;
      if (o.kind === 'network' && (x.kind === 'subnetwork' || x.kind === 'firewall') && x.body.network === link) users.push(String(x.body.selfLink));
      if (o.kind === 'subnetwork' && x.kind === 'instance' && (x.body.networkInterfaces as { subnetwork?: string }[])[0]?.subnetwork === link) users.push(String(x.body.selfLink));
      if (o.kind === 'targetPool' && x.kind === 'forwardingRule' && x.body.target === link) users.push(String(x.body.selfLink));
      if (o.kind === 'address' && x.kind === 'forwardingRule' && x.body.IPAddress === o.body.address) users.push(String(x.body.selfLink));
    }
    if (users.length > 0) throw new GcpError(400, 'resourceInUseByAnotherResource', `The ${o.kind} resource '${link}' is already being used by '${users[0]}'`);
    if (o.kind === 'forwardingRule') {
      const addr = this.of('address').find((a) => a.body.address === o.body.IPAddress);
      if (addr) {
        addr.body.users = ((addr.body.users as string[]) ?? []).filter((u) => u !== link);
        if ((addr.body.users as string[]).length === 0) addr.body.status = 'RESERVED';
      }
    }
  }

  // ---- Cloud DNS ----

  async #dns(method: string, url: URL, body: Record<string, unknown> | undefined): Promise<[number, unknown]> {
    const m = /^\/dns\/v1\/projects\/([^/]+)\/managedZones(?:\/([^/]+)(?:\/(rrsets|changes)(?:\/([^/]+))?)?)?$/.exec(url.pathname);
    if (!m || m[1] !== PROJECT) throw new GcpError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
    const zoneName = (dnsName: string) => dnsName.replace(/\./g, '-');
    if (!m[2] && method === 'GET') return [200, { kind: 'dns#managedZonesListResponse', managedZones: this.zones.map((z, i) => ({ kind: 'dns#managedZone', name: zoneName(z), dnsName: `${z}.`, id: String(7000 + i), visibility: 'public', nameServers: ['ns-cloud-a1.googledomains.com.'] })) }];
    const zone = this.zones.find((z) => zoneName(z) === m[2]);
    if (!zone) throw new GcpError(404, 'notFound', `The 'parameters.managedZone' resource named '${m[2]}' does not exist.`);
    const recordKey = (r: { name: string; type: string }) => `${zone}|${r.name}|${r.type}`;
    if (m[3] === 'rrsets' && method === 'GET') {
      const name = url.searchParams.get('name');
      const type = url.searchParams.get('type');
      const rrsets = [...this.records.entries()].filter(([k, r]) => k.startsWith(`${zone}|`) && (!name || r.name === name) && (!type || r.type === type)).map(([, r]) => ({ kind: 'dns#resourceRecordSet', ...r }));
      return [200, { kind: 'dns#resourceRecordSetsListResponse', rrsets }];
    }
    if (m[3] === 'changes' && method === 'POST') {
      const additions = (body?.additions as { name: string; type: string; ttl: number; rrdatas: string[] }[]) ?? [];
      const deletions = (body?.deletions as { name: string; type: string; ttl: number; rrdatas: string[] }[]) ?? [];
      for (const d of deletions) {
        const cur = this.records.get(recordKey(d));
        if (!cur || cur.ttl !== d.ttl || JSON.stringify([...cur.rrdatas].sort()) !== JSON.stringify([...d.rrdatas].sort())) throw new GcpError(412, 'conditionNotMet', `The resource 'entity.change.deletions[${d.name}][${d.type}]' does not match the current record set`);
      }
      for (const a of additions) {
        if (!a.name.endsWith(`${zone}.`)) throw new GcpError(400, 'invalid', `The resource record set '${a.name}' is not in zone ${zone}.`);
        if (this.records.has(recordKey(a)) && !deletions.some((d) => recordKey(d) === recordKey(a))) throw new GcpError(409, 'alreadyExists', `The resource 'entity.change.additions[${a.name}][${a.type}]' named '${a.name} (${a.type})' already exists`);
        if (a.type === 'CNAME' && a.rrdatas.some((v) => !v.endsWith('.'))) throw new GcpError(400, 'invalid', 'Invalid value for \'entity.change.additions[0].rrdata[0]\': a CNAME target must be an absolute name.');
      }
      for (const d of deletions) this.records.delete(recordKey(d));
      for (const a of additions) this.records.set(recordKey(a), { name: a.name, type: a.type, ttl: a.ttl, rrdatas: a.rrdatas });
      const id = String(this.#nextId++);
      const change = { kind: 'dns#change', id, startTime: new Date().toISOString(), status: 'pending', additions, deletions };
      this.#changes.set(id, { doneAt: Date.now() + this.#opMs, body: change });
      return [200, change];
    }
    if (m[3] === 'changes' && m[4] && method === 'GET') {
      const c = this.#changes.get(m[4]);
      if (!c) throw new GcpError(404, 'notFound', `change ${m[4]} not found`);
      return [200, { ...c.body, status: Date.now() >= c.doneAt ? 'done' : 'pending' }];
    }
    throw new GcpError(404, 'notFound', `The requested URL ${url.pathname} was not found.`);
  }
}

export async function startGcpStandin(options: GcpStandinOptions): Promise<GcpStandin> {
  const s = new GcpStandin(options);
  await s.listen();
  return s;
}
