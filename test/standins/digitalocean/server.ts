// A stateful stand-in for the part of DigitalOcean's v2 API that the provider uses: account,
// regions, sizes, images, VPCs (and members), SSH keys, tags (and tagging), droplets (and
// their actions), firewalls, load balancers, domains and records, actions. It keeps state in
// memory, answers in the shapes of DigitalOcean's OpenAPI contract (tests put it behind
// `prism proxy` with that contract, see ../prism.ts), completes actions after a short delay,
// paginates with `links.pages`, sends the rate-limit headers, and can be told to fail the
// next requests (429 with a reset time, 5xx). It refuses what the real API refuses where the
// provider could get it wrong: unknown region/size/image, sizes not offered in a region, a
// second key with the same fingerprint, firewall tags that do not exist, deleting a VPC that
// still has members, the droplet limit.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IMAGES, REGIONS, SIZES, type Region } from './catalog.ts';

export const STANDIN_TOKEN = 'dop_v1_standin0000000000000000000000000000000000000000000000000000';
/** What `links.pages` URLs point at, like the real API (clients must not follow them to another host). */
const PUBLIC_BASE = 'https://api.digitalocean.com';

export interface DoStandinOptions {
  /** Accepted bearer tokens (default: STANDIN_TOKEN). */
  tokens?: string[];
  /** How long actions (droplet create, power, resize …) take (ms). */
  actionMs?: number;
  /** How long a load balancer stays `new` before it is active (ms). */
  loadBalancerMs?: number;
  /** How long a deleted droplet stays visible (ms). */
  dropletGoneMs?: number;
  dropletLimit?: number;
  /** DNS zones in the account. */
  domains?: string[];
  /** Requests per hour (ratelimit-limit). */
  rateLimit?: number;
  port?: number;
}

export interface Fault {
  status: number;
  /** Only requests whose "METHOD /path" matches. */
  match?: RegExp;
  /** Seconds until ratelimit-reset on a 429. */
  resetSeconds?: number;
  /** Answer with this body instead (a test that makes the stand-in break the contract on purpose). */
  body?: unknown;
}

interface Action {
  id: number;
  type: string;
  resourceId: number;
  resourceType: 'droplet';
  region: string;
  startedAt: string;
  doneAt: number;
  status: 'in-progress' | 'completed' | 'errored';
  completedAt: string | null;
  effect?: () => void;
  fails?: boolean;
}

export interface StandinDroplet {
  id: number;
  name: string;
  status: 'new' | 'active' | 'off' | 'archive';
  size: string;
  region: string;
  image: number;
  vpc: string;
  tags: string[];
  sshKeys: number[];
  userData?: string;
  ipv6: boolean;
  monitoring: boolean;
  createdAt: string;
  publicIp?: string;
  privateIp?: string;
  /** Set by DELETE: the droplet disappears at this time. */
  goneAt?: number;
}

export interface StandinVpc {
  id: string;
  name: string;
  description: string;
  region: string;
  ipRange: string;
  createdAt: string;
  nextHost: number;
}

export interface StandinKey {
  id: number;
  name: string;
  publicKey: string;
  fingerprint: string;
}

interface Rule {
  protocol: string;
  ports: string;
  sources?: Record<string, unknown>;
  destinations?: Record<string, unknown>;
}

export interface StandinFirewall {
  id: string;
  name: string;
  tags: string[];
  inbound: Rule[];
  outbound: Rule[];
  createdAt: string;
  settledAt: number;
}

export interface StandinLoadBalancer {
  id: string;
  name: string;
  region: string;
  vpc: string;
  tag: string;
  forwardingRules: Record<string, unknown>[];
  healthCheck: { protocol: string; port: number };
  createdAt: string;
  activeAt: number;
  ip: string;
  errored?: boolean;
}

export interface StandinRecord {
  id: number;
  type: string;
  name: string;
  data: string;
  ttl: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
}

class HttpError extends Error {
  readonly status: number;
  readonly id: string;
  constructor(status: number, id: string, message: string) {
    super(message);
    this.status = status;
    this.id = id;
  }
}

const notFound = () => new HttpError(404, 'not_found', 'The resource you were accessing could not be found.');
const unprocessable = (message: string) => new HttpError(422, 'unprocessable_entity', message);

type Body = Record<string, unknown>;
type Handler = (m: RegExpMatchArray, body: Body, url: URL) => { status: number; body?: unknown };

export class DoStandin {
  readonly options: Required<Omit<DoStandinOptions, 'port' | 'domains'>>;
  readonly droplets = new Map<number, StandinDroplet>();
  readonly vpcs = new Map<string, StandinVpc>();
  readonly keys = new Map<number, StandinKey>();
  readonly tags = new Set<string>();
  readonly firewalls = new Map<string, StandinFirewall>();
  readonly loadBalancers = new Map<string, StandinLoadBalancer>();
  readonly domains = new Map<string, Map<number, StandinRecord>>();
  readonly actions = new Map<number, Action>();
  readonly log: RequestLogEntry[] = [];
  readonly #faults: (Fault & { left: number })[] = [];
  readonly #routes: [string, RegExp, Handler][] = [];
  #server: Server | undefined;
  #seq = 1;
  #publicHost = 10;
  #recentRequests: number[] = [];
  #failingActions = 0;
  #failingLoadBalancers = 0;
  url = '';

  constructor(options: DoStandinOptions = {}) {
    this.options = {
      tokens: options.tokens ?? [STANDIN_TOKEN],
      actionMs: options.actionMs ?? 150,
      loadBalancerMs: options.loadBalancerMs ?? 300,
      dropletGoneMs: options.dropletGoneMs ?? 100,
      dropletLimit: options.dropletLimit ?? 25,
      rateLimit: options.rateLimit ?? 5000,
    };
    for (const d of options.domains ?? []) this.domains.set(d, new Map());
    this.#defineRoutes();
  }

  async listen(port = 0): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  /** The next `count` droplet actions end `errored`; the next `count` load balancers too. */
  failActions(count: number): void {
    this.#failingActions += count;
  }

  failLoadBalancers(count: number): void {
    this.#failingLoadBalancers += count;
  }

  /** The next `count` requests (matching `fault.match`, if given) fail with `fault.status`. */
  failNext(count: number, fault: Fault): void {
    this.#faults.push({ ...fault, left: count });
  }

  /** Everything the account holds that a deploy makes (for assertions). */
  inventory(): { droplets: number; vpcs: number; keys: number; tags: number; firewalls: number; loadBalancers: number; records: number } {
    this.#settle();
    let records = 0;
    for (const r of this.domains.values()) records += r.size;
    return { droplets: this.droplets.size, vpcs: this.vpcs.size, keys: this.keys.size, tags: this.tags.size, firewalls: this.firewalls.size, loadBalancers: this.loadBalancers.size, records };
  }

  // ---- time: actions complete, deleted droplets go, balancers come up -------------------------

  #settle(): void {
    const now = Date.now();
    for (const a of this.actions.values()) {
      if (a.status === 'in-progress' && a.doneAt <= now) {
        a.completedAt = new Date(a.doneAt).toISOString();
        if (a.fails) a.status = 'errored';
        else {
          a.status = 'completed';
          a.effect?.();
        }
      }
    }
    for (const d of this.droplets.values()) if (d.goneAt !== undefined && d.goneAt <= now) this.droplets.delete(d.id);
  }

  #action(type: string, droplet: StandinDroplet, effect?: () => void): Action {
    const a: Action = {
      id: this.#next(),
      type,
      resourceId: droplet.id,
      resourceType: 'droplet',
      region: droplet.region,
      startedAt: new Date().toISOString(),
      doneAt: Date.now() + this.options.actionMs,
      status: 'in-progress',
      completedAt: null,
      effect,
      fails: this.#failingActions > 0 ? this.#failingActions-- > 0 : false,
    };
    this.actions.set(a.id, a);
    return a;
  }

  #next(): number {
    return 300_000_000 + this.#seq++ * 7;
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let status: number;
    let payload: unknown;
    let extra: Record<string, string> = {};
    try {
      this.#settle();
      const fault = this.#takeFault(`${method} ${url.pathname}`);
      if (fault) {
        status = fault.status;
        if (fault.body !== undefined) payload = fault.body;
        else if (status === 429) {
          extra = { 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + (fault.resetSeconds ?? 1)) };
          payload = { id: 'too_many_requests', message: 'API Rate limit exceeded.' };
        } else payload = { id: 'server_error', message: 'Server was unable to give you a response.' };
      } else {
        const auth = req.headers.authorization ?? '';
        if (!this.options.tokens.some((t) => auth === `Bearer ${t}`)) throw new HttpError(401, 'unauthorized', 'Unable to authenticate you');
        let body: Body = {};
        if (raw !== '') {
          try {
            body = JSON.parse(raw) as Body;
          } catch {
            throw new HttpError(400, 'bad_request', 'The request body is not valid JSON.');
          }
        }
        const answer = this.#route(method, url, body);
        status = answer.status;
        payload = answer.body;
      }
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        payload = { id: err.id, message: err.message, request_id: randomUUID() };
      } else {
        status = 500;
        payload = { id: 'server_error', message: `stand-in failure: ${(err as Error).message}` };
      }
    }
    this.log.push({ method, path: url.pathname + url.search, status });
    const now = Date.now();
    this.#recentRequests = this.#recentRequests.filter((t) => t > now - 3_600_000);
    this.#recentRequests.push(now);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'ratelimit-limit': String(this.options.rateLimit),
      'ratelimit-remaining': String(Math.max(0, this.options.rateLimit - this.#recentRequests.length)),
      'ratelimit-reset': String(Math.ceil((this.#recentRequests[0]! + 3_600_000) / 1000)),
      'x-request-id': randomUUID(),
      ...extra,
    };
    if (payload === undefined) {
      delete headers['content-type'];
      res.writeHead(status, headers).end();
    } else res.writeHead(status, headers).end(JSON.stringify(payload));
  }

  #takeFault(what: string): Fault | undefined {
    const i = this.#faults.findIndex((f) => f.left > 0 && (!f.match || f.match.test(what)));
    if (i < 0) return undefined;
    const f = this.#faults[i]!;
    if (--f.left === 0) this.#faults.splice(i, 1);
    return f;
  }

  #route(method: string, url: URL, body: Body): { status: number; body?: unknown } {
    for (const [m, re, handler] of this.#routes) {
      if (m !== method) continue;
      const match = url.pathname.match(re);
      if (match) return handler(match, body, url);
    }
    throw notFound();
  }

  #on(method: string, pattern: string, handler: Handler): void {
    this.#routes.push([method, new RegExp(`^${pattern.replace(/\{[a-z_]+\}/g, '([^/]+)')}$`), handler]);
  }

  // ---- routes ----------------------------------------------------------------------------------

  #defineRoutes(): void {
    const ok = (b: unknown) => ({ status: 200, body: b });
    this.#on('GET', '/v2/account', () =>
      ok({ account: { droplet_limit: this.options.dropletLimit, floating_ip_limit: 3, email: 'ops@example.com', name: 'Stand-in', uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', email_verified: true, status: 'active', status_message: '', team: { uuid: '5df3e3004a17e242b7c20ca6c9fc25b701a47ece', name: 'My Team' } } }),
    );
    this.#on('GET', '/v2/regions', (_m, _b, url) => ok(this.#page(url, 'regions', REGIONS)));
    this.#on('GET', '/v2/sizes', (_m, _b, url) => ok(this.#page(url, 'sizes', SIZES)));
    this.#on('GET', '/v2/images/{id}', (m) => {
      const key = decodeURIComponent(m[1]!);
      const img = IMAGES.find((i) => i.slug === key || String(i.id) === key);
      if (!img) throw notFound();
      return ok({ image: img });
    });

    // VPCs
    this.#on('GET', '/v2/vpcs', (_m, _b, url) => ok(this.#page(url, 'vpcs', [...this.vpcs.values()].map(vpcJson))));
    this.#on('POST', '/v2/vpcs', (_m, b) => {
      const name = String(b.name);
      const region = this.#region(String(b.region));
      if ([...this.vpcs.values()].some((v) => v.name === name)) throw unprocessable(`A VPC with the name ${name} already exists.`);
      const ipRange = typeof b.ip_range === 'string' ? b.ip_range : '10.116.0.0/20';
      if (!/^10\.\d+\.\d+\.\d+\/(1[6-9]|2[0-4])$/.test(ipRange)) throw unprocessable('ip_range must be a private /16 to /24 range in 10.0.0.0/8');
      const v: StandinVpc = { id: randomUUID(), name, description: typeof b.description === 'string' ? b.description : '', region: region.slug, ipRange, createdAt: new Date().toISOString(), nextHost: 2 };
      this.vpcs.set(v.id, v);
      return { status: 201, body: { vpc: vpcJson(v) } };
    });
    this.#on('GET', '/v2/vpcs/{id}', (m) => ok({ vpc: vpcJson(this.#vpc(m[1]!)) }));
    this.#on('PATCH', '/v2/vpcs/{id}', (m, b) => {
      const v = this.#vpc(m[1]!);
      if (typeof b.name === 'string') v.name = b.name;
      if (typeof b.description === 'string') v.description = b.description;
      return ok({ vpc: vpcJson(v) });
    });
    this.#on('GET', '/v2/vpcs/{id}/members', (m, _b, url) => ok(this.#page(url, 'members', this.#members(this.#vpc(m[1]!)))));
    this.#on('DELETE', '/v2/vpcs/{id}', (m) => {
      const v = this.#vpc(m[1]!);
      if (this.#members(v).length > 0) throw new HttpError(409, 'conflict', 'VPC has members and can not be deleted');
      this.vpcs.delete(v.id);
      return { status: 204 };
    });

    // SSH keys
    this.#on('GET', '/v2/account/keys', (_m, _b, url) => ok(this.#page(url, 'ssh_keys', [...this.keys.values()].map(keyJson))));
    this.#on('POST', '/v2/account/keys', (_m, b) => {
      const publicKey = String(b.public_key).trim();
      const fingerprint = fingerprintOf(publicKey);
      if ([...this.keys.values()].some((k) => k.fingerprint === fingerprint)) throw unprocessable('SSH Key is already in use on your account');
      const k: StandinKey = { id: this.#next(), name: String(b.name), publicKey, fingerprint };
      this.keys.set(k.id, k);
      return { status: 201, body: { ssh_key: keyJson(k) } };
    });
    this.#on('GET', '/v2/account/keys/{id}', (m) => ok({ ssh_key: keyJson(this.#key(m[1]!)) }));
    this.#on('PUT', '/v2/account/keys/{id}', (m, b) => {
      const k = this.#key(m[1]!);
      if (typeof b.name === 'string') k.name = b.name;
      return ok({ ssh_key: keyJson(k) });
    });
    this.#on('DELETE', '/v2/account/keys/{id}', (m) => {
      this.keys.delete(this.#key(m[1]!).id);
      return { status: 204 };
    });

    // Tags
    this.#on('GET', '/v2/tags', (_m, _b, url) => ok(this.#page(url, 'tags', [...this.tags].map((t) => this.#tagJson(t)))));
    this.#on('POST', '/v2/tags', (_m, b) => {
      const name = String(b.name);
      if (!/^[a-zA-Z0-9_\-:]{1,255}$/.test(name)) throw new HttpError(400, 'bad_request', 'tag name is invalid');
      this.tags.add(name);
      return { status: 201, body: { tag: this.#tagJson(name) } };
    });
    this.#on('GET', '/v2/tags/{tag}', (m) => ok({ tag: this.#tagJson(this.#tag(m[1]!)) }));
    this.#on('DELETE', '/v2/tags/{tag}', (m) => {
      const t = this.#tag(m[1]!);
      this.tags.delete(t);
      for (const d of this.droplets.values()) d.tags = d.tags.filter((x) => x !== t);
      for (const f of this.firewalls.values()) f.tags = f.tags.filter((x) => x !== t);
      return { status: 204 };
    });
    const tagging = (add: boolean) => (m: RegExpMatchArray, b: Body) => {
      const t = this.#tag(m[1]!);
      for (const r of (b.resources as { resource_id: string; resource_type: string }[] | undefined) ?? []) {
        if (r.resource_type !== 'droplet') throw unprocessable(`resource type ${r.resource_type} is not supported by this stand-in`);
        const d = this.#droplet(r.resource_id);
        d.tags = add ? [...new Set([...d.tags, t])] : d.tags.filter((x) => x !== t);
      }
      return { status: 204 };
    };
    this.#on('POST', '/v2/tags/{tag}/resources', tagging(true));
    this.#on('DELETE', '/v2/tags/{tag}/resources', tagging(false));

    // Droplets
    this.#on('GET', '/v2/droplets', (_m, _b, url) => {
      const tagName = url.searchParams.get('tag_name');
      const name = url.searchParams.get('name');
      const list = [...this.droplets.values()].filter((d) => (!tagName || d.tags.includes(tagName)) && (!name || d.name === name));
      return ok(this.#page(url, 'droplets', list.map((d) => this.#dropletJson(d))));
    });
    this.#on('POST', '/v2/droplets', (_m, b) => {
      if (Array.isArray(b.names)) throw unprocessable('creating several droplets in one request is not supported by this stand-in');
      const d = this.#newDroplet(b);
      const a = this.#action('create', d, () => {
        d.status = 'active';
        d.publicIp = `203.0.113.${this.#publicHost++ % 250}`;
        const vpc = this.vpcs.get(d.vpc)!;
        d.privateIp = hostIn(vpc.ipRange, vpc.nextHost++);
      });
      return { status: 202, body: { droplet: this.#dropletJson(d), links: { actions: [{ id: a.id, rel: 'create', href: `${PUBLIC_BASE}/v2/actions/${a.id}` }] } } };
    });
    this.#on('GET', '/v2/droplets/{id}', (m) => ok({ droplet: this.#dropletJson(this.#droplet(m[1]!)) }));
    this.#on('DELETE', '/v2/droplets/{id}', (m) => {
      const d = this.#droplet(m[1]!);
      d.goneAt ??= Date.now() + this.options.dropletGoneMs;
      return { status: 204 };
    });
    this.#on('POST', '/v2/droplets/{id}/actions', (m, b) => ({ status: 201, body: { action: this.#actionJson(this.#dropletAction(this.#droplet(m[1]!), b)) } }));
    this.#on('GET', '/v2/droplets/{id}/actions/{action}', (m) => ok({ action: this.#actionJson(this.#getAction(m[2]!)) }));
    this.#on('GET', '/v2/actions/{action}', (m) => ok({ action: this.#actionJson(this.#getAction(m[1]!)) }));

    // Firewalls
    this.#on('GET', '/v2/firewalls', (_m, _b, url) => ok(this.#page(url, 'firewalls', [...this.firewalls.values()].map((f) => this.#firewallJson(f)))));
    this.#on('POST', '/v2/firewalls', (_m, b) => {
      const f: StandinFirewall = { id: randomUUID(), createdAt: new Date().toISOString(), settledAt: Date.now() + this.options.actionMs, ...this.#firewallSpec(b) };
      this.firewalls.set(f.id, f);
      return { status: 202, body: { firewall: this.#firewallJson(f) } };
    });
    this.#on('GET', '/v2/firewalls/{id}', (m) => ok({ firewall: this.#firewallJson(this.#firewall(m[1]!)) }));
    this.#on('PUT', '/v2/firewalls/{id}', (m, b) => {
      const f = this.#firewall(m[1]!);
      Object.assign(f, this.#firewallSpec(b), { settledAt: Date.now() + this.options.actionMs });
      return ok({ firewall: this.#firewallJson(f) });
    });
    this.#on('DELETE', '/v2/firewalls/{id}', (m) => {
      this.firewalls.delete(this.#firewall(m[1]!).id);
      return { status: 204 };
    });

    // Load balancers
    this.#on('GET', '/v2/load_balancers', (_m, _b, url) => ok(this.#page(url, 'load_balancers', [...this.loadBalancers.values()].map((l) => this.#lbJson(l)))));
    this.#on('POST', '/v2/load_balancers', (_m, b) => {
      const errored = this.#failingLoadBalancers > 0 ? this.#failingLoadBalancers-- > 0 : false;
      const lb: StandinLoadBalancer = { id: randomUUID(), createdAt: new Date().toISOString(), activeAt: Date.now() + this.options.loadBalancerMs, ip: `198.51.100.${this.#publicHost++ % 250}`, errored, ...this.#lbSpec(b) };
      this.loadBalancers.set(lb.id, lb);
      return { status: 202, body: { load_balancer: this.#lbJson(lb) } };
    });
    this.#on('GET', '/v2/load_balancers/{id}', (m) => ok({ load_balancer: this.#lbJson(this.#lb(m[1]!)) }));
    this.#on('PUT', '/v2/load_balancers/{id}', (m, b) => {
      const lb = this.#lb(m[1]!);
      const spec = this.#lbSpec(b);
      if (spec.region !== lb.region) throw unprocessable('the region of a load balancer cannot be changed');
      Object.assign(lb, spec);
      return ok({ load_balancer: this.#lbJson(lb) });
    });
    this.#on('DELETE', '/v2/load_balancers/{id}', (m) => {
      this.loadBalancers.delete(this.#lb(m[1]!).id);
      return { status: 204 };
    });

    // Domains and records
    this.#on('GET', '/v2/domains/{domain}', (m) => {
      const name = decodeURIComponent(m[1]!);
      if (!this.domains.has(name)) throw notFound();
      return ok({ domain: { name, ttl: 1800, zone_file: `$ORIGIN ${name}.\n$TTL 1800\n${name}. IN SOA ns1.digitalocean.com. hostmaster.${name}. 1 10800 3600 604800 1800\n` } });
    });
    this.#on('GET', '/v2/domains/{domain}/records', (m, _b, url) => {
      const domain = decodeURIComponent(m[1]!);
      const type = url.searchParams.get('type');
      const fqdn = url.searchParams.get('name');
      const list = [...this.#records(domain).values()].filter((r) => (!type || r.type === type) && (!fqdn || (r.name === '@' ? domain : `${r.name}.${domain}`) === fqdn));
      return ok(this.#page(url, 'domain_records', list.map(recordJson)));
    });
    this.#on('POST', '/v2/domains/{domain}/records', (m, b) => {
      const records = this.#records(decodeURIComponent(m[1]!));
      const r: StandinRecord = { id: this.#next(), ...recordSpec(b) };
      records.set(r.id, r);
      return { status: 201, body: { domain_record: recordJson(r) } };
    });
    this.#on('GET', '/v2/domains/{domain}/records/{id}', (m) => ok({ domain_record: recordJson(this.#record(m[1]!, m[2]!)) }));
    this.#on('PUT', '/v2/domains/{domain}/records/{id}', (m, b) => {
      const r = this.#record(m[1]!, m[2]!);
      Object.assign(r, recordSpec(b));
      return ok({ domain_record: recordJson(r) });
    });
    this.#on('DELETE', '/v2/domains/{domain}/records/{id}', (m) => {
      const records = this.#records(decodeURIComponent(m[1]!));
      if (!records.delete(this.#record(m[1]!, m[2]!).id)) throw notFound();
      return { status: 204 };
    });
  }

  // ---- lookups ---------------------------------------------------------------------------------

  #region(slug: string): Region {
    const r = REGIONS.find((x) => x.slug === slug);
    if (!r) throw unprocessable(`Region is not available: ${slug}`);
    return r;
  }

  #vpc(id: string): StandinVpc {
    const v = this.vpcs.get(decodeURIComponent(id));
    if (!v) throw notFound();
    return v;
  }

  #key(idOrFingerprint: string): StandinKey {
    const key = decodeURIComponent(idOrFingerprint);
    const k = [...this.keys.values()].find((x) => String(x.id) === key || x.fingerprint === key);
    if (!k) throw notFound();
    return k;
  }

  #tag(raw: string): string {
    const t = decodeURIComponent(raw);
    if (!this.tags.has(t)) throw notFound();
    return t;
  }

  #droplet(id: string): StandinDroplet {
    const d = this.droplets.get(Number(decodeURIComponent(id)));
    if (!d) throw notFound();
    return d;
  }

  #firewall(id: string): StandinFirewall {
    const f = this.firewalls.get(decodeURIComponent(id));
    if (!f) throw notFound();
    return f;
  }

  #lb(id: string): StandinLoadBalancer {
    const l = this.loadBalancers.get(decodeURIComponent(id));
    if (!l) throw notFound();
    return l;
  }

  #records(domain: string): Map<number, StandinRecord> {
    const r = this.domains.get(domain);
    if (!r) throw notFound();
    return r;
  }

  #record(domain: string, id: string): StandinRecord {
    const r = this.#records(decodeURIComponent(domain)).get(Number(id));
    if (!r) throw notFound();
    return r;
  }

  #getAction(id: string): Action {
    const a = this.actions.get(Number(id));
    if (!a) throw notFound();
    return a;
  }

  #members(v: StandinVpc): { urn: string; name: string; created_at: string }[] {
    return [
      ...[...this.droplets.values()].filter((d) => d.vpc === v.id).map((d) => ({ urn: `do:droplet:${d.id}`, name: d.name, created_at: d.createdAt })),
      ...[...this.loadBalancers.values()].filter((l) => l.vpc === v.id).map((l) => ({ urn: `do:loadbalancer:${l.id}`, name: l.name, created_at: l.createdAt })),
    ];
  }

  // ---- object rules ----------------------------------------------------------------------------

  #newDroplet(b: Body): StandinDroplet {
    const name = String(b.name);
    const region = this.#region(String(b.region));
    if (!region.available) throw unprocessable(`Region is not available: ${region.slug}`);
    const size = SIZES.find((s) => s.slug === b.size);
    if (!size || !size.available) throw unprocessable('You specified an invalid size for Droplet creation.');
    if (!region.sizes.includes(size.slug)) throw unprocessable(`Size is not available in this region.`);
    const image = IMAGES.find((i) => i.slug === b.image || i.id === b.image);
    if (!image) throw unprocessable('You specified an invalid image for Droplet creation.');
    if (!image.regions.includes(region.slug)) throw unprocessable(`Image is not available in ${region.slug}.`);
    const live = [...this.droplets.values()].filter((d) => d.goneAt === undefined).length;
    if (live >= this.options.dropletLimit) throw unprocessable(`creating this/these droplet(s) will exceed your droplet limit (${this.options.dropletLimit})`);
    const sshKeys = ((b.ssh_keys as (string | number)[] | undefined) ?? []).map((k) => {
      const found = [...this.keys.values()].find((x) => x.id === Number(k) || x.fingerprint === k);
      if (!found) throw unprocessable(`SSH key ${String(k)} does not exist in this account.`);
      return found.id;
    });
    let vpc: StandinVpc;
    if (typeof b.vpc_uuid === 'string') {
      const v = this.vpcs.get(b.vpc_uuid);
      if (!v) throw unprocessable(`VPC ${b.vpc_uuid} does not exist.`);
      if (v.region !== region.slug) throw unprocessable(`VPC ${b.vpc_uuid} is in ${v.region}, not in ${region.slug}.`);
      vpc = v;
    } else {
      vpc = this.#defaultVpc(region.slug);
    }
    const userData = typeof b.user_data === 'string' ? b.user_data : undefined;
    if (userData && Buffer.byteLength(userData) > 64 * 1024) throw unprocessable('user_data is limited to 64 KiB');
    const tags = (b.tags as string[] | null | undefined) ?? [];
    for (const t of tags) {
      if (!/^[a-zA-Z0-9_\-:]{1,255}$/.test(t)) throw unprocessable(`tag ${t} is invalid`);
      this.tags.add(t);
    }
    const d: StandinDroplet = {
      id: this.#next(),
      name,
      status: 'new',
      size: size.slug,
      region: region.slug,
      image: image.id,
      vpc: vpc.id,
      tags: [...new Set(tags)],
      sshKeys,
      userData,
      ipv6: b.ipv6 === true,
      monitoring: b.monitoring === true,
      createdAt: new Date().toISOString(),
    };
    this.droplets.set(d.id, d);
    return d;
  }

  /** The region's default VPC, made on first use as the real API does. */
  #defaultVpc(region: string): StandinVpc {
    const existing = [...this.vpcs.values()].find((x) => x.region === region && x.name === `default-${region}`);
    if (existing) return existing;
    const v: StandinVpc = { id: randomUUID(), name: `default-${region}`, description: '', region, ipRange: '10.108.0.0/20', createdAt: new Date().toISOString(), nextHost: 2 };
    this.vpcs.set(v.id, v);
    return v;
  }

  #dropletAction(d: StandinDroplet, b: Body): Action {
    if (d.status === 'new' || [...this.actions.values()].some((a) => a.resourceId === d.id && a.status === 'in-progress')) {
      throw unprocessable('Droplet already has a pending event.');
    }
    switch (b.type) {
      case 'rename':
        if (typeof b.name !== 'string' || b.name === '') throw unprocessable('name is required');
        d.name = b.name;
        return this.#action('rename', d);
      case 'power_off':
        return this.#action('power_off', d, () => (d.status = 'off'));
      case 'power_on':
        return this.#action('power_on', d, () => (d.status = 'active'));
      case 'resize': {
        if (d.status !== 'off') throw unprocessable('Droplet must be powered off before it can be resized.');
        const size = SIZES.find((s) => s.slug === b.size && s.available && s.regions.includes(d.region));
        if (!size) throw unprocessable('You specified an invalid size for this Droplet.');
        const current = SIZES.find((s) => s.slug === d.size)!;
        if (b.disk === true && size.disk < current.disk) throw unprocessable('The disk of a Droplet cannot be made smaller.');
        return this.#action('resize', d, () => (d.size = size.slug));
      }
      case 'enable_ipv6':
        return this.#action('enable_ipv6', d, () => (d.ipv6 = true));
      default:
        throw unprocessable(`action ${String(b.type)} is not supported by this stand-in`);
    }
  }

  #firewallSpec(b: Body): Pick<StandinFirewall, 'name' | 'tags' | 'inbound' | 'outbound'> {
    const name = String(b.name);
    const tags = (b.tags as string[] | null | undefined) ?? [];
    for (const t of tags) if (!this.tags.has(t)) throw unprocessable(`tag ${t} does not exist`);
    const inbound = (b.inbound_rules as Rule[] | null | undefined) ?? [];
    const outbound = (b.outbound_rules as Rule[] | null | undefined) ?? [];
    if (inbound.length + outbound.length === 0) throw new HttpError(400, 'bad_request', 'must have at least one rule');
    const check = (targets: Record<string, unknown> | undefined, what: string) => {
      const lists = ['addresses', 'tags', 'droplet_ids', 'load_balancer_uids', 'kubernetes_ids'].map((k) => (targets?.[k] as unknown[] | null | undefined) ?? []);
      if (lists.every((l) => l.length === 0)) throw new HttpError(400, 'bad_request', `a rule must have at least one ${what}`);
      for (const t of (targets?.tags as string[] | null | undefined) ?? []) if (!this.tags.has(t)) throw unprocessable(`tag ${t} does not exist`);
      for (const l of (targets?.load_balancer_uids as string[] | undefined) ?? []) if (!this.loadBalancers.has(l)) throw unprocessable(`load balancer ${l} does not exist`);
    };
    for (const r of inbound) check(r.sources, 'source');
    for (const r of outbound) check(r.destinations, 'destination');
    const norm = (r: Rule): Rule => ({ ...r, ports: r.protocol === 'icmp' ? '0' : r.ports });
    return { name, tags, inbound: inbound.map(norm), outbound: outbound.map(norm) };
  }

  #lbSpec(b: Body): Pick<StandinLoadBalancer, 'name' | 'region' | 'vpc' | 'tag' | 'forwardingRules' | 'healthCheck'> {
    const region = this.#region(String(b.region));
    if (typeof b.tag !== 'string' || !this.tags.has(b.tag)) throw unprocessable(`tag ${String(b.tag)} does not exist`);
    const vpcId = typeof b.vpc_uuid === 'string' ? b.vpc_uuid : undefined;
    const vpc = vpcId ? this.vpcs.get(vpcId) : undefined;
    if (vpcId && !vpc) throw unprocessable(`VPC ${vpcId} does not exist.`);
    if (vpc && vpc.region !== region.slug) throw unprocessable(`VPC ${vpc.id} is in ${vpc.region}, not in ${region.slug}.`);
    const health = (b.health_check as { protocol?: string; port?: number } | undefined) ?? {};
    return {
      name: typeof b.name === 'string' ? b.name : `${region.slug}-load-balancer-01`,
      region: region.slug,
      vpc: vpc?.id ?? this.#defaultVpc(region.slug).id,
      tag: b.tag,
      forwardingRules: b.forwarding_rules as Record<string, unknown>[],
      healthCheck: { protocol: health.protocol ?? 'http', port: health.port ?? 80 },
    };
  }

  // ---- JSON ------------------------------------------------------------------------------------

  #page<T>(url: URL, key: string, items: T[]): Record<string, unknown> {
    const perPage = Math.min(200, Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number) => {
      const u = new URL(url.pathname, PUBLIC_BASE);
      for (const [k, v] of url.searchParams) if (k !== 'page') u.searchParams.set(k, v);
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const pages: Record<string, string> = {};
    if (page > 1) Object.assign(pages, { first: link(1), prev: link(page - 1) });
    if (page < last) Object.assign(pages, { next: link(page + 1), last: link(last) });
    return { [key]: items.slice((page - 1) * perPage, page * perPage), links: { pages }, meta: { total: items.length } };
  }

  #regionJson(slug: string): Region {
    return REGIONS.find((r) => r.slug === slug)!;
  }

  #tagJson(name: string): unknown {
    const tagged = [...this.droplets.values()].filter((d) => d.tags.includes(name));
    const last = tagged.at(-1);
    const count = { count: tagged.length, ...(last ? { last_tagged_uri: `${PUBLIC_BASE}/v2/droplets/${last.id}` } : {}) };
    const none = { count: 0 };
    return { name, resources: { ...count, droplets: count, imgages: none, volumes: none, volume_snapshots: none, databases: none } };
  }

  #dropletJson(d: StandinDroplet): unknown {
    const size = SIZES.find((s) => s.slug === d.size)!;
    const image = IMAGES.find((i) => i.id === d.image)!;
    const vpc = this.vpcs.get(d.vpc);
    const v4 = [
      ...(d.publicIp ? [{ ip_address: d.publicIp, netmask: '255.255.255.0', gateway: '203.0.113.1', type: 'public' }] : []),
      ...(d.privateIp && vpc ? [{ ip_address: d.privateIp, netmask: netmaskOf(vpc.ipRange), gateway: 'nil', type: 'private' }] : []),
    ];
    return {
      id: d.id,
      name: d.name,
      memory: size.memory,
      vcpus: size.vcpus,
      disk: size.disk,
      disk_info: [{ type: 'local', size: { amount: size.disk, unit: 'gib' } }],
      locked: false,
      status: d.status,
      kernel: null,
      created_at: d.createdAt,
      features: ['droplet_agent', 'private_networking', ...(d.ipv6 ? ['ipv6'] : []), ...(d.monitoring ? ['monitoring'] : [])],
      backup_ids: [],
      next_backup_window: null,
      snapshot_ids: [],
      image,
      volume_ids: [],
      size,
      size_slug: size.slug,
      networks: { v4, v6: [] },
      region: this.#regionJson(d.region),
      tags: d.tags,
      vpc_uuid: d.vpc,
    };
  }

  #actionJson(a: Action): unknown {
    return {
      id: a.id,
      status: a.status,
      type: a.type,
      started_at: a.startedAt,
      completed_at: a.completedAt,
      resource_id: a.resourceId,
      resource_type: a.resourceType,
      region: this.#regionJson(a.region),
      region_slug: a.region,
    };
  }

  #firewallJson(f: StandinFirewall): unknown {
    const ids = [...this.droplets.values()].filter((d) => d.tags.some((t) => f.tags.includes(t))).map((d) => d.id);
    const settled = f.settledAt <= Date.now();
    return {
      id: f.id,
      status: settled ? 'succeeded' : 'waiting',
      created_at: f.createdAt,
      pending_changes: settled ? [] : ids.map((id) => ({ droplet_id: id, removing: false, status: 'waiting' })),
      name: f.name,
      droplet_ids: ids,
      tags: f.tags,
      inbound_rules: f.inbound,
      outbound_rules: f.outbound,
    };
  }

  #lbJson(l: StandinLoadBalancer): unknown {
    const active = l.activeAt <= Date.now() && !l.errored;
    return {
      id: l.id,
      name: l.name,
      project_id: '4de7ac8b-495b-4884-9a69-1050c6793cd6',
      ip: active ? l.ip : '',
      size_unit: 1,
      size: 'lb-small',
      algorithm: 'round_robin',
      status: l.errored && l.activeAt <= Date.now() ? 'errored' : active ? 'active' : 'new',
      created_at: l.createdAt,
      forwarding_rules: l.forwardingRules,
      health_check: { protocol: l.healthCheck.protocol, port: l.healthCheck.port, path: '/', check_interval_seconds: 10, response_timeout_seconds: 5, unhealthy_threshold: 5, healthy_threshold: 3 },
      sticky_sessions: { type: 'none' },
      redirect_http_to_https: false,
      enable_proxy_protocol: false,
      enable_backend_keepalive: false,
      http_idle_timeout_seconds: 60,
      vpc_uuid: l.vpc,
      disable_lets_encrypt_dns_records: false,
      firewall: { deny: [], allow: [] },
      network: 'EXTERNAL',
      network_stack: 'IPV4',
      type: 'REGIONAL',
      region: this.#regionJson(l.region),
      droplet_ids: [...this.droplets.values()].filter((d) => d.tags.includes(l.tag)).map((d) => d.id),
      tag: l.tag,
    };
  }
}

function vpcJson(v: StandinVpc): unknown {
  return { id: v.id, urn: `do:vpc:${v.id}`, name: v.name, description: v.description, region: v.region, ip_range: v.ipRange, default: v.name.startsWith('default-'), created_at: v.createdAt };
}

function keyJson(k: StandinKey): unknown {
  return { id: k.id, fingerprint: k.fingerprint, public_key: k.publicKey, name: k.name };
}

function recordSpec(b: Body): Omit<StandinRecord, 'id'> {
  const type = String(b.type);
  const data = String(b.data ?? '');
  if (type === 'A' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(data)) throw unprocessable(`data '${data}' is not an IPv4 address`);
  if (type === 'CNAME' && !/^[a-z0-9.-]+\.?$/i.test(data)) throw unprocessable(`data '${data}' is not a host name`);
  return { type, name: String(b.name ?? '@'), data, ttl: typeof b.ttl === 'number' ? b.ttl : 1800 };
}

function recordJson(r: StandinRecord): unknown {
  return { id: r.id, type: r.type, name: r.name, data: r.data, priority: null, port: null, ttl: r.ttl, weight: null, flags: null, tag: null };
}

function fingerprintOf(publicKey: string): string {
  const blob = publicKey.split(/\s+/)[1];
  if (!blob) throw unprocessable('Key invalid, type not supported');
  return createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex').match(/../g)!.join(':');
}

function hostIn(cidr: string, n: number): string {
  const [base] = cidr.split('/') as [string];
  const parts = base.split('.').map(Number);
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + n;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function netmaskOf(cidr: string): string {
  const bits = Number(cidr.split('/')[1]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [mask >>> 24, (mask >>> 16) & 255, (mask >>> 8) & 255, mask & 255].join('.');
}

export async function startDoStandin(options: DoStandinOptions = {}): Promise<DoStandin> {
  const s = new DoStandin(options);
  await s.listen(options.port);
  return s;
}
