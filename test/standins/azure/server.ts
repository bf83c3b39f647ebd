// A stateful stand-in for the part of Azure Resource Manager the provider uses: resource
// providers, resource groups, virtual networks and subnets, network security groups and
// rules, public IPs, network interfaces, load balancers, virtual machines, VM SKUs, usages
// and images, DNS zones and record sets. It serves HTTPS on loopback (the SDK sends bearer
// tokens over TLS only) and holds every request and answer to the serialization mappers the
// official SDK ships (./mappers.ts): a request that breaks them is refused with 400, and
// every violation, either way, is kept for `assertClean()`.
//
// Like ARM, PUT and DELETE of network and compute objects are long-running operations: PUT
// answers 201/200 with `Azure-AsyncOperation`, DELETE 202 with `Location`; the operation
// finishes after `operationMs`. ARM's PUT replaces the object: a virtual network PUT without
// its subnets deletes them, a security group PUT without its rules deletes the rules. It
// refuses what Azure refuses where the provider could go wrong: a parent that does not
// exist, a reference to nothing, deleting what is in use, a VM size or image not offered in
// the location, an interface another VM holds, changing a VM's custom data.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { checkAzure, checkAzureList } from './mappers.ts';

export const STANDIN_TOKEN = 'azure-standin-token';
export const SUBSCRIPTION = '00000000-0000-4000-8000-00000000a2e0';
export const TENANT = '00000000-0000-4000-8000-000000000001';

export const LOCATIONS: Record<string, string> = { eastus: 'East US', westeurope: 'West Europe' };
/** VM sizes: vCPUs, family; `restricted` ones exist but are not offered to this subscription. */
export const SIZES: Record<string, { vcpus: number; family: string; restricted?: boolean }> = {
  Standard_B1s: { vcpus: 1, family: 'standardBSFamily' },
  Standard_B2s: { vcpus: 2, family: 'standardBSFamily' },
  Standard_D2s_v3: { vcpus: 2, family: 'standardDSv3Family' },
  Standard_D4s_v3: { vcpus: 4, family: 'standardDSv3Family' },
  Standard_NC6s_v3: { vcpus: 6, family: 'standardNCSv3Family', restricted: true },
};
export const IMAGES = ['Canonical:ubuntu-24_04-lts:server:24.04.202510010', 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:22.04.202510010'];

export interface AzureStandinOptions {
  /** TLS key and certificate (PEM) the server presents. */
  tls: { key: string; cert: string };
  /** How long a long-running operation takes (ms). */
  operationMs?: number;
  /** Retry-After the operations announce (s). */
  retryAfterSeconds?: number;
  /** DNS zones in the subscription (in the resource group `dns`). */
  zones?: string[];
  /** Regional vCPU limit (`cores`), and per family. */
  coresLimit?: number;
  familyLimit?: number;
}

export interface Fault {
  status: number;
  code?: string;
  /** Only requests whose "METHOD /path" matches. */
  match?: RegExp;
  /** Answer with this body instead (a test that makes the stand-in break the contract on purpose). */
  body?: unknown;
}

export interface StoredObject {
  kind: Kind;
  id: string;
  body: Record<string, unknown>;
  /** Operation that must finish before the object is settled (create/update) or gone (delete). */
  pending?: { op: string; doneAt: number; deleting: boolean };
  /** VMs: the custom data they were made with (ARM never returns it). */
  customData?: string;
}

type Kind = 'group' | 'vnet' | 'subnet' | 'nsg' | 'rule' | 'pip' | 'nic' | 'lb' | 'vm' | 'record';

interface Route {
  kind: Kind;
  re: RegExp;
  model: string;
  /** Long-running PUT and DELETE. */
  lro: boolean;
}

const RG = '/subscriptions/([^/]+)/resourcegroups/([^/]+)';
const NET = `${RG}/providers/microsoft\\.network`;
const ROUTES: Route[] = [
  { kind: 'group', re: new RegExp(`^${RG}$`, 'i'), model: 'ResourceGroup', lro: false },
  { kind: 'subnet', re: new RegExp(`^${NET}/virtualnetworks/([^/]+)/subnets/([^/]+)$`, 'i'), model: 'Subnet', lro: true },
  { kind: 'vnet', re: new RegExp(`^${NET}/virtualnetworks/([^/]+)$`, 'i'), model: 'VirtualNetwork', lro: true },
  { kind: 'rule', re: new RegExp(`^${NET}/networksecuritygroups/([^/]+)/securityrules/([^/]+)$`, 'i'), model: 'SecurityRule', lro: true },
  { kind: 'nsg', re: new RegExp(`^${NET}/networksecuritygroups/([^/]+)$`, 'i'), model: 'NetworkSecurityGroup', lro: true },
  { kind: 'pip', re: new RegExp(`^${NET}/publicipaddresses/([^/]+)$`, 'i'), model: 'PublicIPAddress', lro: true },
  { kind: 'nic', re: new RegExp(`^${NET}/networkinterfaces/([^/]+)$`, 'i'), model: 'NetworkInterface', lro: true },
  { kind: 'lb', re: new RegExp(`^${NET}/loadbalancers/([^/]+)$`, 'i'), model: 'LoadBalancer', lro: true },
  { kind: 'vm', re: new RegExp(`^${RG}/providers/microsoft\\.compute/virtualmachines/([^/]+)$`, 'i'), model: 'VirtualMachine', lro: true },
  { kind: 'record', re: new RegExp(`^${NET}/dnszones/([^/]+)/(A|CNAME)/([^/]+)$`, 'i'), model: 'DnsRecordSet', lro: false },
];

const TYPES: Record<Kind, string> = {
  group: 'Microsoft.Resources/resourceGroups',
  vnet: 'Microsoft.Network/virtualNetworks',
  subnet: 'Microsoft.Network/virtualNetworks/subnets',
  nsg: 'Microsoft.Network/networkSecurityGroups',
  rule: 'Microsoft.Network/networkSecurityGroups/securityRules',
  pip: 'Microsoft.Network/publicIPAddresses',
  nic: 'Microsoft.Network/networkInterfaces',
  lb: 'Microsoft.Network/loadBalancers',
  vm: 'Microsoft.Compute/virtualMachines',
  record: 'Microsoft.Network/dnszones',
};

class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const key = (id: string) => id.toLowerCase();
const props = (o: StoredObject | undefined) => ((o?.body.properties ?? {}) as Record<string, unknown>);
const idRef = (v: unknown) => ((v as { id?: string } | undefined)?.id ?? '');

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

export class AzureStandin {
  readonly objects = new Map<string, StoredObject>();
  readonly log: RequestLogEntry[] = [];
  /** Everything that broke the SDK's mappers, requests and answers alike. */
  readonly violations: string[] = [];
  readonly zones: string[];
  url = '';
  readonly #operationMs: number;
  readonly #retryAfter: number;
  readonly #coresLimit: number;
  readonly #familyLimit: number;
  readonly #ops = new Map<string, { doneAt: number; location: boolean }>();
  readonly #faults: (Fault & { left: number })[] = [];
  #nextIp = 10;
  #server?: Server;

  constructor(options: AzureStandinOptions) {
    this.#operationMs = options.operationMs ?? 100;
    this.#retryAfter = options.retryAfterSeconds ?? 1;
    this.zones = options.zones ?? [];
    this.#coresLimit = options.coresLimit ?? 20;
    this.#familyLimit = options.familyLimit ?? 10;
    this.#server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => void this.#handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    const addr = this.#server!.address() as { port: number };
    this.url = `https://127.0.0.1:${addr.port}`;
    return this.url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }

  /** The next `count` requests matching `fault.match` fail with its status (or its body). */
  failNext(count: number, fault: Fault): void {
    this.#faults.push({ ...fault, left: count });
  }

  /** Objects by kind, settled (operations finished). */
  of(kind: Kind): StoredObject[] {
    this.#settle();
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }

  inventory(): Record<Kind, number> {
    this.#settle();
    const out = { group: 0, vnet: 0, subnet: 0, nsg: 0, rule: 0, pip: 0, nic: 0, lb: 0, vm: 0, record: 0 } as Record<Kind, number>;
    for (const o of this.objects.values()) out[o.kind]++;
    return out;
  }

  assertClean(): void {
    if (this.violations.length > 0) throw new Error(`the Azure stand-in saw ${this.violations.length} break(s) of the SDK's mappers:\n  ${this.violations.join('\n  ')}`);
  }

  /** Finishes the operations whose time has come. */
  #settle(): void {
    const now = Date.now();
    for (const [k, o] of this.objects) {
      if (!o.pending || o.pending.doneAt > now) continue;
      if (o.pending.deleting) this.#remove(k, o);
      else {
        delete o.pending;
        (o.body.properties as Record<string, unknown>).provisioningState = 'Succeeded';
      }
    }
  }

  #remove(k: string, o: StoredObject): void {
    this.objects.delete(k);
    if (o.kind === 'group') for (const [ck] of [...this.objects].filter(([ck]) => ck.startsWith(`${k}/`))) this.objects.delete(ck);
    if (o.kind === 'nic') {
      for (const c of (props(o).ipConfigurations as Record<string, unknown>[] | undefined) ?? []) {
        const pip = this.objects.get(key(idRef((c.properties as Record<string, unknown>).publicIPAddress)));
        if (pip) delete (pip.body.properties as Record<string, unknown>).ipConfiguration;
      }
    }
    if (o.kind === 'vm') {
      const nic = this.objects.get(key(idRef(((props(o).networkProfile as Record<string, unknown>)?.networkInterfaces as unknown[])?.[0])));
      if (nic) delete (nic.body.properties as Record<string, unknown>).virtualMachine;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    let status = 500;
    const send = (code: number, body: unknown, headers: Record<string, string> = {}, model?: { name: string; list?: boolean }) => {
      status = code;
      if (model && body !== undefined) {
        const problems = model.list ? checkAzureList(model.name, body, 'response') : checkAzure(model.name, body, 'response');
        this.violations.push(...problems.map((p) => `answer to ${method} ${url.pathname}: ${p}`));
      }
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const fail = (e: ArmError) => send(e.status, { error: { code: e.code, message: e.message } }, {}, { name: 'CloudError' });
    try {
      this.#settle();
      if (req.headers.authorization !== `Bearer ${STANDIN_TOKEN}`) throw new ArmError(401, 'AuthenticationFailed', 'Authentication failed. The Authorization header is missing or its token is not valid.');
      if (!url.searchParams.get('api-version') && !url.pathname.includes('/operations/') && !url.pathname.includes('/operationresults/')) throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      const fault = this.#faults.find((f) => f.left > 0 && (!f.match || f.match.test(`${method} ${url.pathname}`)));
      if (fault) {
        fault.left--;
        if (fault.body !== undefined) {
          const route = ROUTES.find((r) => r.re.test(url.pathname));
          return send(fault.status, fault.body, {}, route ? { name: route.model } : undefined);
        }
        throw new ArmError(fault.status, fault.code ?? (fault.status === 429 ? 'TooManyRequests' : 'InternalServerError'), 'injected by the test');
      }
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      this.#route(method, url, body, send);
    } catch (err) {
      if (err instanceof ArmError) fail(err);
      else fail(new ArmError(500, 'InternalServerError', (err as Error).message));
    } finally {
      this.log.push({ method, path: url.pathname + url.search, status });
    }
  }

  #route(method: string, url: URL, body: Record<string, unknown> | undefined, send: (code: number, body: unknown, headers?: Record<string, string>, model?: { name: string; list?: boolean }) => void): void {
    const path = url.pathname;
    let m: RegExpExecArray | null;
    // Long-running operations.
    if ((m = /\/(operations|operationresults)\/([^/]+)$/.exec(path)) && method === 'GET') {
      const op = this.#ops.get(m[2]!);
      if (!op) throw new ArmError(404, 'NotFound', `operation ${m[2]} not found`);
      const done = Date.now() >= op.doneAt;
      this.#settle();
      if (op.location) return send(done ? 200 : 202, undefined, done ? {} : this.#pollHeaders(m[2]!, true));
      return send(200, { id: path, name: m[2], status: done ? 'Succeeded' : 'InProgress', startTime: new Date().toISOString() }, done ? {} : { 'retry-after': String(this.#retryAfter) });
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/([^/]+)$/i.exec(path)) && method === 'GET') {
      this.#subscription(m[1]!);
      const ns = m[2]!;
      if (!/^microsoft\.(compute|network)$/i.test(ns)) throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
      const resourceTypes = /compute/i.test(ns) ? [{ resourceType: 'virtualMachines', locations: Object.values(LOCATIONS), apiVersions: ['2024-07-01'] }] : [{ resourceType: 'virtualNetworks', locations: Object.values(LOCATIONS), apiVersions: ['2024-05-01'] }];
      return send(200, { id: path, namespace: /compute/i.test(ns) ? 'Microsoft.Compute' : 'Microsoft.Network', registrationState: 'Registered', resourceTypes }, {}, { name: 'Provider' });
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.compute\/skus$/i.exec(path)) && method === 'GET') {
      const location = /location eq '([^']+)'/.exec(url.searchParams.get('$filter') ?? '')?.[1] ?? 'eastus';
      const value = LOCATIONS[location]
        ? Object.entries(SIZES).map(([name, s]) => ({
            resourceType: 'virtualMachines',
            name,
            tier: 'Standard',
            size: name.replace(/^Standard_/, ''),
            family: s.family,
            locations: [location],
            locationInfo: [{ location, zones: ['1', '2', '3'] }],
            capabilities: [
              { name: 'vCPUs', value: String(s.vcpus) },
              { name: 'MemoryGB', value: String(s.vcpus * 4) },
            ],
            restrictions: s.restricted ? [{ type: 'Location', values: [location], restrictionInfo: { locations: [location] }, reasonCode: 'NotAvailableForSubscription' }] : [],
          }))
        : [];
      return send(200, { value }, {}, { name: 'ResourceSkusResult' });
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.compute\/locations\/([^/]+)\/usages$/i.exec(path)) && method === 'GET') {
      const location = m[2]!.toLowerCase();
      const vms = this.of('vm').filter((v) => v.body.location === location);
      const used = (family?: string) => vms.reduce((n, v) => {
        const s = SIZES[String((props(v).hardwareProfile as { vmSize?: string })?.vmSize)];
        return n + (s && (!family || s.family === family) ? s.vcpus : 0);
      }, 0);
      const families = [...new Set(Object.values(SIZES).map((s) => s.family))];
      const value = [
        { unit: 'Count', currentValue: used(), limit: this.#coresLimit, name: { value: 'cores', localizedValue: 'Total Regional vCPUs' } },
        ...families.map((f) => ({ unit: 'Count', currentValue: used(f), limit: this.#familyLimit, name: { value: f, localizedValue: `Standard ${f} vCPUs` } })),
      ];
      return send(200, { value }, {}, { name: 'ListUsagesResult' });
    }
    if ((m = /^\/subscriptions\/[^/]+\/providers\/microsoft\.compute\/locations\/([^/]+)\/publishers\/([^/]+)\/artifacttypes\/vmimage\/offers\/([^/]+)\/skus\/([^/]+)\/versions(?:\/([^/]+))?$/i.exec(path)) && method === 'GET') {
      const [, location, publisher, offer, sku, version] = m as unknown as string[];
      const versions = IMAGES.filter((i) => i.toLowerCase().startsWith(`${publisher}:${offer}:${sku}:`.toLowerCase())).map((i) => i.split(':')[3]!);
      const entry = (v: string) => ({ id: `${path.replace(/\/versions.*$/, '')}/versions/${v}`, name: v, location: location! });
      if (!version) return send(200, LOCATIONS[location!.toLowerCase()] ? versions.map(entry) : [], {}, { name: 'VirtualMachineImageResource', list: true });
      if (!versions.includes(version) || !LOCATIONS[location!.toLowerCase()]) throw new ArmError(404, 'NotFound', 'Artifact: VMImage was not found.');
      return send(200, { ...entry(version), properties: { osDiskImage: { operatingSystem: 'Linux' }, hyperVGeneration: 'V2', architecture: 'x64' } }, {}, { name: 'VirtualMachineImage' });
    }
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.network\/dnszones$/i.exec(path)) && method === 'GET') {
      const value = this.zones.map((z) => ({ id: `/subscriptions/${m![1]}/resourceGroups/dns/providers/Microsoft.Network/dnszones/${z}`, name: z, type: 'Microsoft.Network/dnszones', location: 'global', properties: { zoneType: 'Public', nameServers: ['ns1-01.azure-dns.com.'] } }));
      return send(200, { value }, {}, { name: 'ZoneListResult' });
    }
    const route = ROUTES.find((r) => r.re.test(path));
    if (!route) throw new ArmError(404, 'NoRegisteredProviderFound', `No registered resource provider found for ${method} ${path}.`);
    const parts = route.re.exec(path)!;
    this.#subscription(parts[1]!);
    if (body !== undefined) {
      const model = method === 'PATCH' && route.kind === 'vm' ? 'VirtualMachineUpdate' : route.model;
      const problems = checkAzure(model, body, 'request');
      if (problems.length > 0) {
        this.violations.push(...problems.map((p) => `${method} ${path}: ${p}`));
        throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid: ${problems.join('; ')}`);
      }
    }
    const id = this.#canonicalId(route, parts);
    const existing = this.objects.get(key(id));
    if (method === 'GET') {
      if (!existing) throw this.#notFound(route, parts, id);
      return send(200, this.#view(existing), {}, { name: route.model });
    }
    if (method === 'PUT' || method === 'PATCH') {
      if (method === 'PATCH' && !existing) throw this.#notFound(route, parts, id);
      if (existing?.pending?.deleting) throw new ArmError(409, 'AnotherOperationInProgress', `${id} is being deleted.`);
      const stored = this.#put(route, parts, id, method === 'PATCH' ? this.#patched(existing!, body!) : body!, existing);
      if (!route.lro) return send(existing ? 200 : 201, this.#view(stored), {}, { name: route.model });
      const op = this.#startOp(false);
      stored.pending = { op, doneAt: Date.now() + this.#operationMs, deleting: false };
      (stored.body.properties as Record<string, unknown>).provisioningState = 'Updating';
      return send(existing ? 200 : 201, this.#view(stored), this.#pollHeaders(op, false), { name: route.model });
    }
    if (method === 'DELETE') {
      if (!existing) return send(route.lro || route.kind === 'group' ? 204 : 204, undefined);
      this.#checkDeletable(existing);
      if (!route.lro && route.kind !== 'group') {
        this.#remove(key(id), existing);
        return send(200, undefined);
      }
      const op = this.#startOp(true);
      existing.pending = { op, doneAt: Date.now() + this.#operationMs, deleting: true };
      if (existing.body.properties) (existing.body.properties as Record<string, unknown>).provisioningState = 'Deleting';
      return send(202, undefined, this.#pollHeaders(op, true));
    }
    throw new ArmError(405, 'MethodNotAllowed', `${method} is not supported here.`);
  }

  #subscription(sub: string): void {
    if (sub !== SUBSCRIPTION) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
  }

  #startOp(location: boolean): string {
    const op = randomUUID();
    this.#ops.set(op, { doneAt: Date.now() + this.#operationMs, location });
    return op;
  }

  #pollHeaders(op: string, location: boolean): Record<string, string> {
    const base = `${this.url}/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Network/locations/eastus`;
    return location
      ? { location: `${base}/operationresults/${op}?api-version=2024-05-01`, 'retry-after': String(this.#retryAfter) }
      : { 'azure-asyncoperation': `${base}/operations/${op}?api-version=2024-05-01`, 'retry-after': String(this.#retryAfter) };
  }

  #canonicalId(route: Route, p: RegExpExecArray): string {
    const rg = `/subscriptions/${p[1]}/resourceGroups/${p[2]}`;
    switch (route.kind) {
      case 'group':
        return rg;
      case 'subnet':
        return `${rg}/providers/Microsoft.Network/virtualNetworks/${p[3]}/subnets/${p[4]}`;
      case 'rule':
        return `${rg}/providers/Microsoft.Network/networkSecurityGroups/${p[3]}/securityRules/${p[4]}`;
      case 'record':
        return `${rg}/providers/Microsoft.Network/dnszones/${p[3]}/${p[4]!.toUpperCase()}/${p[5]}`;
      case 'vm':
        return `${rg}/providers/Microsoft.Compute/virtualMachines/${p[3]}`;
      default:
        return `${rg}/providers/${TYPES[route.kind]}/${p[3]}`;
    }
  }

  #notFound(route: Route, p: RegExpExecArray, id: string): ArmError {
    if (route.kind !== 'group' && route.kind !== 'record' && !this.objects.has(key(`/subscriptions/${p[1]}/resourceGroups/${p[2]}`))) return new ArmError(404, 'ResourceGroupNotFound', `Resource group '${p[2]}' could not be found.`);
    return new ArmError(404, route.kind === 'record' ? 'NotFound' : 'ResourceNotFound', `The Resource '${TYPES[route.kind]}/${id.slice(id.lastIndexOf('/') + 1)}' under resource group '${p[2]}' was not found.`);
  }

  /** What a GET shows: the stored object, with a network's subnets and a group's rules as ARM lists them. */
  #view(o: StoredObject): Record<string, unknown> {
    const body = structuredClone(o.body);
    const p = body.properties as Record<string, unknown> | undefined;
    const children = (kind: Kind) => [...this.objects.values()].filter((c) => c.kind === kind && key(c.id).startsWith(`${key(o.id)}/`)).map((c) => structuredClone(c.body));
    if (o.kind === 'vnet' && p) p.subnets = children('subnet');
    if (o.kind === 'nsg' && p) p.securityRules = children('rule');
    return body;
  }

  #patched(o: StoredObject, patch: Record<string, unknown>): Record<string, unknown> {
    const body = structuredClone(o.body);
    if (patch.tags) body.tags = patch.tags;
    const size = ((patch.properties as Record<string, unknown> | undefined)?.hardwareProfile as { vmSize?: string } | undefined)?.vmSize;
    if (size) ((body.properties as Record<string, unknown>).hardwareProfile as Record<string, unknown>).vmSize = size;
    const osProfile = (body.properties as Record<string, unknown>).osProfile as Record<string, unknown>;
    if (o.customData) osProfile.customData = o.customData;
    return body;
  }

  #needs(id: string, kind: Kind, what: string): StoredObject {
    const o = this.objects.get(key(id));
    if (!o || o.kind !== kind || o.pending?.deleting) throw new ArmError(400, 'InvalidResourceReference', `Resource ${id} referenced by ${what} was not found.`);
    return o;
  }

  #put(route: Route, p: RegExpExecArray, id: string, body: Record<string, unknown>, existing?: StoredObject): StoredObject {
    const rgId = `/subscriptions/${p[1]}/resourceGroups/${p[2]}`;
    const rg = this.objects.get(key(rgId));
    if (route.kind !== 'group' && route.kind !== 'record') {
      if (!rg) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${p[2]}' could not be found.`);
      if (rg.pending?.deleting) throw new ArmError(409, 'ResourceGroupBeingDeleted', `The resource group '${p[2]}' is in deprovisioning state.`);
    }
    const properties = structuredClone((body.properties ?? {}) as Record<string, unknown>);
    const name = id.slice(id.lastIndexOf('/') + 1);
    const common = { id, name, type: TYPES[route.kind] };
    const location = typeof body.location === 'string' ? body.location.toLowerCase() : undefined;
    if (route.kind !== 'subnet' && route.kind !== 'rule' && route.kind !== 'record') {
      if (!location || (route.kind !== 'group' && !LOCATIONS[location])) throw new ArmError(400, 'LocationNotAvailableForResourceType', `The provided location '${String(body.location)}' is not available for resource type '${TYPES[route.kind]}'.`);
      if (route.kind === 'group' && !LOCATIONS[location]) throw new ArmError(400, 'LocationNotAvailableForResourceGroup', `The provided location '${location}' is not available for resource group.`);
      if (existing && existing.body.location !== location) throw new ArmError(400, 'InvalidResourceLocation', `The resource '${name}' already exists in location '${String(existing.body.location)}'.`);
    }
    let out: Record<string, unknown>;
    let customData: string | undefined;
    switch (route.kind) {
      case 'group':
        out = { ...common, location, tags: body.tags ?? {}, properties: { provisioningState: 'Succeeded' } };
        break;
      case 'vnet': {
        // ARM's PUT is the whole network: subnets it no longer lists are deleted.
        const listed = new Set(((properties.subnets as { name?: string }[] | undefined) ?? []).map((s) => s.name?.toLowerCase()));
        const dropped = this.of('subnet').filter((s) => key(s.id).startsWith(`${key(id)}/`) && !listed.has(s.body.name!.toString().toLowerCase()));
        for (const s of dropped) this.#checkDeletable(s);
        for (const s of dropped) this.objects.delete(key(s.id));
        delete properties.subnets;
        out = { ...common, location, tags: body.tags ?? {}, etag: `W/"${randomUUID()}"`, properties: { ...properties, resourceGuid: randomUUID() } };
        break;
      }
      case 'subnet':
        this.#needs(id.slice(0, id.indexOf('/subnets/')), 'vnet', 'the subnet');
        out = { ...common, properties };
        break;
      case 'nsg': {
        const listed = new Set(((properties.securityRules as { name?: string }[] | undefined) ?? []).map((s) => s.name?.toLowerCase()));
        for (const r of this.of('rule').filter((r) => key(r.id).startsWith(`${key(id)}/`) && !listed.has(String(r.body.name).toLowerCase()))) this.objects.delete(key(r.id));
        delete properties.securityRules;
        out = { ...common, location, tags: body.tags ?? {}, properties: { ...properties, resourceGuid: randomUUID() } };
        break;
      }
      case 'rule': {
        const nsgId = id.slice(0, id.indexOf('/securityRules/'));
        this.#needs(nsgId, 'nsg', 'the security rule');
        const clash = this.of('rule').find((r) => key(r.id).startsWith(`${key(nsgId)}/`) && key(r.id) !== key(id) && props(r).priority === properties.priority && props(r).direction === properties.direction);
        if (clash) throw new ArmError(400, 'SecurityRuleConflict', `Security rule ${name} conflicts with rule ${String(clash.body.name)}: rules cannot have the same Priority and Direction.`);
        out = { ...common, properties };
        break;
      }
      case 'pip':
        out = { ...common, location, tags: body.tags ?? {}, sku: body.sku, properties: { ...properties, ipAddress: (props(existing).ipAddress as string | undefined) ?? `20.62.0.${this.#nextIp++}` } };
        break;
      case 'nic': {
        const ipConfigs = ((properties.ipConfigurations as Record<string, unknown>[] | undefined) ?? []).map((c, i) => {
          const cp = (c.properties ?? {}) as Record<string, unknown>;
          const subnetObj = this.#needs(idRef(cp.subnet), 'subnet', `interface ${name}`);
          if (cp.publicIPAddress) {
            const pip = this.#needs(idRef(cp.publicIPAddress), 'pip', `interface ${name}`);
            const holder = idRef(props(pip).ipConfiguration);
            if (holder && !key(holder).startsWith(`${key(id)}/`)) throw new ArmError(400, 'PublicIPAddressInUse', `Public IP ${pip.id} is in use by ${holder}.`);
          }
          const prefix = String(props(subnetObj).addressPrefix ?? '10.0.0.0/24').split('/')[0]!.split('.').slice(0, 3).join('.');
          const old = (props(existing).ipConfigurations as Record<string, unknown>[] | undefined)?.[i];
          const privateIP = (old?.properties as Record<string, unknown> | undefined)?.privateIPAddress ?? `${prefix}.${this.#nextIp++}`;
          return { ...c, id: `${id}/ipConfigurations/${String(c.name)}`, properties: { ...cp, privateIPAddress: privateIP, privateIPAddressVersion: 'IPv4', provisioningState: 'Succeeded' } };
        });
        if (properties.networkSecurityGroup) this.#needs(idRef(properties.networkSecurityGroup), 'nsg', `interface ${name}`);
        out = { ...common, location, tags: body.tags ?? {}, properties: { ...properties, ipConfigurations: ipConfigs, ...(props(existing).virtualMachine ? { virtualMachine: props(existing).virtualMachine } : {}) } };
        for (const c of ipConfigs) {
          const pipId = idRef((c.properties as Record<string, unknown>).publicIPAddress);
          if (pipId) (this.objects.get(key(pipId))!.body.properties as Record<string, unknown>).ipConfiguration = { id: c.id };
        }
        break;
      }
      case 'lb': {
        const sub = (k: string) => ((properties[k] as Record<string, unknown>[] | undefined) ?? []).map((c) => ({ ...c, id: `${id}/${k}/${String(c.name)}` }));
        for (const f of (properties.frontendIPConfigurations as Record<string, unknown>[] | undefined) ?? []) this.#needs(idRef((f.properties as Record<string, unknown>).publicIPAddress), 'pip', `load balancer ${name}`);
        for (const r of (properties.loadBalancingRules as Record<string, unknown>[] | undefined) ?? []) {
          const rp = r.properties as Record<string, unknown>;
          for (const ref of [rp.frontendIPConfiguration, rp.backendAddressPool, rp.probe]) if (!key(idRef(ref)).startsWith(`${key(id)}/`)) throw new ArmError(400, 'InvalidResourceReference', `Rule ${String(r.name)} refers to ${idRef(ref)}, which is not part of load balancer ${name}.`);
        }
        out = { ...common, location, tags: body.tags ?? {}, sku: body.sku, properties: { ...properties, frontendIPConfigurations: sub('frontendIPConfigurations'), backendAddressPools: sub('backendAddressPools'), probes: sub('probes'), loadBalancingRules: sub('loadBalancingRules') } };
        break;
      }
      case 'vm': {
        const size = String((properties.hardwareProfile as { vmSize?: string } | undefined)?.vmSize);
        if (!SIZES[size] || SIZES[size]!.restricted) throw new ArmError(409, 'SkuNotAvailable', `The requested VM size ${size} is currently not available in location '${location}'.`);
        const ref = (properties.storageProfile as { imageReference?: Record<string, string> } | undefined)?.imageReference ?? {};
        const wanted = `${ref.publisher}:${ref.offer}:${ref.sku}:`.toLowerCase();
        const images = IMAGES.filter((i) => i.toLowerCase().startsWith(wanted) && (ref.version === 'latest' || i.endsWith(`:${ref.version}`)));
        if (!ref.id && images.length === 0) throw new ArmError(404, 'PlatformImageNotFound', `The platform image '${wanted}${ref.version}' is not available.`);
        const osProfile = (properties.osProfile ?? {}) as Record<string, unknown>;
        if ((osProfile.linuxConfiguration as { disablePasswordAuthentication?: boolean } | undefined)?.disablePasswordAuthentication !== true && !osProfile.adminPassword) throw new ArmError(400, 'InvalidParameter', 'Required parameter adminPassword is missing.');
        customData = typeof osProfile.customData === 'string' ? osProfile.customData : existing?.customData;
        if (existing && customData !== existing.customData) throw new ArmError(409, 'PropertyChangeNotAllowed', "Changing property 'customData' is not allowed.");
        const nicId = idRef(((properties.networkProfile as { networkInterfaces?: unknown[] } | undefined)?.networkInterfaces ?? [])[0]);
        const nic = this.#needs(nicId, 'nic', `virtual machine ${name}`);
        const holder = idRef(props(nic).virtualMachine);
        if (holder && key(holder) !== key(id)) throw new ArmError(400, 'NicInUse', `Network interface ${nicId} is used by virtual machine ${holder}.`);
        (nic.body.properties as Record<string, unknown>).virtualMachine = { id };
        delete osProfile.customData;
        delete osProfile.adminPassword;
        const storage = structuredClone(properties.storageProfile as Record<string, unknown>);
        (storage.osDisk as Record<string, unknown>).name = `${name}_OsDisk_1`;
        if (ref.version === 'latest' && images[0]) (storage as { imageReference: Record<string, string> }).imageReference.exactVersion = images[0].split(':')[3]!;
        out = { ...common, location, tags: body.tags ?? {}, properties: { ...properties, storageProfile: storage, osProfile, vmId: (props(existing).vmId as string | undefined) ?? randomUUID(), timeCreated: new Date().toISOString() } };
        break;
      }
      case 'record': {
        const zone = p[3]!;
        if (!this.zones.includes(zone) || p[2]!.toLowerCase() !== 'dns') throw new ArmError(404, 'ParentResourceNotFound', `Can not perform requested operation on nested resource. Parent resource '${zone}' not found.`);
        const rel = p[5]!;
        out = { ...common, type: `Microsoft.Network/dnszones/${p[4]!.toUpperCase()}`, etag: randomUUID(), properties: { ...properties, fqdn: `${rel === '@' ? '' : `${rel}.`}${zone}.`, provisioningState: 'Succeeded' } };
        break;
      }
    }
    const stored: StoredObject = { kind: route.kind, id, body: out, ...(customData !== undefined ? { customData } : {}) };
    this.objects.set(key(id), stored);
    return stored;
  }

  #checkDeletable(o: StoredObject): void {
    const inUse = (code: string, by: string) => new ArmError(400, code, `${o.id} is in use by ${by} and cannot be deleted.`);
    const nics = this.of('nic');
    if (o.kind === 'subnet') {
      const user = nics.find((n) => ((props(n).ipConfigurations as Record<string, unknown>[]) ?? []).some((c) => key(idRef((c.properties as Record<string, unknown>).subnet)) === key(o.id)));
      if (user) throw inUse('InUseSubnetCannotBeDeleted', user.id);
    }
    if (o.kind === 'nsg') {
      const user = nics.find((n) => key(idRef(props(n).networkSecurityGroup)) === key(o.id));
      if (user) throw inUse('InUseNetworkSecurityGroupCannotBeDeleted', user.id);
    }
    if (o.kind === 'pip') {
      const user = idRef(props(o).ipConfiguration) || this.of('lb').find((lb) => ((props(lb).frontendIPConfigurations as Record<string, unknown>[]) ?? []).some((f) => key(idRef((f.properties as Record<string, unknown>).publicIPAddress)) === key(o.id)))?.id;
      if (user && this.objects.has(key(user.replace(/\/ipConfigurations\/.*$/, '')))) throw inUse('PublicIPAddressCannotBeDeleted', user);
    }
    if (o.kind === 'nic' && props(o).virtualMachine && this.objects.has(key(idRef(props(o).virtualMachine)))) throw inUse('NicInUse', idRef(props(o).virtualMachine));
    if (o.kind === 'vnet') {
      const user = nics.find((n) => ((props(n).ipConfigurations as Record<string, unknown>[]) ?? []).some((c) => key(idRef((c.properties as Record<string, unknown>).subnet)).startsWith(`${key(o.id)}/`)));
      if (user) throw inUse('InUseSubnetCannotBeDeleted', user.id);
    }
  }

  /** The custom data a VM was made with, decoded (the cloud-init user data). */
  userDataOf(vmName: string): string | undefined {
    const vm = this.of('vm').find((v) => v.body.name === vmName);
    return vm?.customData ? Buffer.from(vm.customData, 'base64').toString() : undefined;
  }
}

export async function startAzureStandin(options: AzureStandinOptions): Promise<AzureStandin> {
  const s = new AzureStandin(options);
  await s.listen();
  return s;
}
