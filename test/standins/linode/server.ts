// A stateful stand-in for the part of Linode's API v4 the provider uses: profile (with the
// token's OAuth scopes), account availability, regions, types, images, instances (metadata
// user data, public/VPC interfaces, private IPs, resize), VPCs and subnets, SSH keys, Cloud
// Firewalls (rules, devices), NodeBalancers (configs, nodes), domains and records. It keeps
// state in memory, answers in the shapes of Linode's OpenAPI contract (tests put it behind
// `prism proxy` with it, see ../prism.ts), paginates with page/pages, sends X-RateLimit-*
// headers, and can be told to fail the next requests. It refuses what the real API refuses
// where a provider could go wrong: unknown region/type/image, user data in a region without
// Metadata, duplicate labels, overlapping subnets, deleting a subnet with instances in it or a
// VPC with subnets, a second firewall on an instance, a second config on one port, a back end
// that is not a private address in the balancer's region.
import { StandinBase, HttpError, hostIn, overlaps, type Answer, type Body } from '../base.ts';
import { IMAGES, REGIONS, TYPES } from './catalog.ts';

export const STANDIN_TOKEN = 'standin-linode-0000000000000000000000000000000000000000000000000000';

export interface LinodeStandinOptions {
  tokens?: string[];
  /** The token's scopes (X-OAuth-Scopes); `*` is every scope. */
  scopes?: string;
  restricted?: boolean;
  /** How long an instance provisions, and a resize takes (ms). */
  bootMs?: number;
  /** DNS zones in the account. */
  domains?: string[];
  rateLimit?: number;
  port?: number;
}

export interface StandinInstance {
  id: number;
  label: string;
  region: string;
  type: string;
  image: string;
  status: 'provisioning' | 'running' | 'migrating';
  readyAt: number;
  resizeTo?: string;
  tags: string[];
  userData?: string;
  publicIp: string;
  privateIp?: string;
  vpc?: { vpcId: number; subnetId: number; address: string; interfaceId: number };
  created: string;
  updated: string;
}

export interface StandinSubnet {
  id: number;
  label: string;
  ipv4: string;
  nextHost: number;
  created: string;
  updated: string;
}

export interface StandinVpc {
  id: number;
  label: string;
  description: string;
  region: string;
  subnets: Map<number, StandinSubnet>;
  created: string;
  updated: string;
}

export interface StandinFirewall {
  id: number;
  label: string;
  tags: string[];
  rules: Body;
  devices: Map<number, { id: number; linode: number; created: string }>;
  created: string;
  updated: string;
}

export interface StandinNodeBalancer {
  id: number;
  label: string;
  region: string;
  tags: string[];
  ipv4: string;
  configs: Map<number, { id: number; port: number; protocol: string; check: string; nodes: Map<number, { id: number; label: string; address: string }> }>;
  created: string;
  updated: string;
}

export interface StandinRecord {
  id: number;
  type: string;
  name: string;
  target: string;
  ttl: number;
  created: string;
  updated: string;
}

const bad = (message: string, field?: string) => new HttpError(400, 'bad_request', message, field);
const notFound = () => new HttpError(404, 'not_found', 'Not found');
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class LinodeStandin extends StandinBase {
  readonly options: { scopes: string; restricted: boolean; bootMs: number };
  readonly instances = new Map<number, StandinInstance>();
  readonly vpcs = new Map<number, StandinVpc>();
  readonly keys = new Map<number, { id: number; label: string; sshKey: string; created: string }>();
  readonly firewalls = new Map<number, StandinFirewall>();
  readonly nodeBalancers = new Map<number, StandinNodeBalancer>();
  readonly domains = new Map<number, { id: number; domain: string; records: Map<number, StandinRecord> }>();
  #seq = 1;
  #host = 10;

  constructor(options: LinodeStandinOptions = {}) {
    super({
      tokens: options.tokens ?? [STANDIN_TOKEN],
      rateLimit: options.rateLimit ?? 800,
      rateWindowMs: 60_000,
      rateHeaders: { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
      errorBody: (err) => ({ errors: [{ reason: err.message, ...(err.field ? { field: err.field } : {}) }] }),
    });
    this.options = { scopes: options.scopes ?? '*', restricted: options.restricted ?? false, bootMs: options.bootMs ?? 150 };
    for (const d of options.domains ?? []) {
      const id = this.#next();
      this.domains.set(id, { id, domain: d, records: new Map() });
    }
    this.#routes();
  }

  /** Everything the account holds that a deploy makes (for assertions). */
  inventory(): { instances: number; vpcs: number; subnets: number; keys: number; firewalls: number; nodeBalancers: number; configs: number; nodes: number; records: number } {
    this.settle();
    let subnets = 0;
    let configs = 0;
    let nodes = 0;
    let records = 0;
    for (const v of this.vpcs.values()) subnets += v.subnets.size;
    for (const nb of this.nodeBalancers.values()) {
      configs += nb.configs.size;
      for (const c of nb.configs.values()) nodes += c.nodes.size;
    }
    for (const d of this.domains.values()) records += d.records.size;
    return { instances: this.instances.size, vpcs: this.vpcs.size, subnets, keys: this.keys.size, firewalls: this.firewalls.size, nodeBalancers: this.nodeBalancers.size, configs, nodes, records };
  }

  protected settle(): void {
    const now = Date.now();
    for (const i of this.instances.values()) {
      if (i.status !== 'running' && i.readyAt <= now) {
        if (i.resizeTo) i.type = i.resizeTo;
        i.resizeTo = undefined;
        i.status = 'running';
      }
    }
  }

  #next(): number {
    return 40_000_000 + this.#seq++ * 3;
  }

  #page(url: URL, items: unknown[]): Answer {
    const size = Math.min(500, Math.max(25, Number(url.searchParams.get('page_size') ?? 100)));
    const pages = Math.max(1, Math.ceil(items.length / size));
    const page = Math.min(pages, Math.max(1, Number(url.searchParams.get('page') ?? 1)));
    return { status: 200, body: { data: items.slice((page - 1) * size, page * size), page, pages, results: items.length } };
  }

  #routes(): void {
    const ok = (body: unknown): Answer => ({ status: 200, body });
    const V = '/v4';
    this.on('GET', `${V}/profile`, () => ({
      status: 200,
      headers: { 'x-oauth-scopes': this.options.scopes },
      body: { uid: 1234, username: 'standin', email: 'ops@example.com', restricted: this.options.restricted, timezone: 'UTC', email_notifications: true, ip_whitelist_enabled: false, lish_auth_method: 'keys_only', authorized_keys: null, two_factor_auth: true, referrals: { code: 'abc', url: 'https://www.linode.com/?r=abc', total: 0, completed: 0, pending: 0, credit: 0 } },
    }));
    this.on('GET', `${V}/account/availability/{id}`, (m) => {
      const region = REGIONS.find((r) => r.id === m[1]);
      if (!region) throw notFound();
      return ok({ region: region.id, available: region.capabilities.filter((c) => ['Linodes', 'NodeBalancers', 'Block Storage', 'Kubernetes'].includes(c)), unavailable: [] });
    });
    this.on('GET', `${V}/regions`, (_m, _b, url) => this.#page(url, REGIONS));
    this.on('GET', `${V}/linode/types`, (_m, _b, url) => this.#page(url, TYPES));
    this.on('GET', `${V}/images`, (_m, _b, url) => this.#page(url, IMAGES));

    // Instances
    this.on('GET', `${V}/linode/instances`, (_m, _b, url) => this.#page(url, [...this.instances.values()].map((i) => this.#instanceJson(i))));
    this.on('POST', `${V}/linode/instances`, (_m, b) => ok(this.#instanceJson(this.#createInstance(b))));
    this.on('GET', `${V}/linode/instances/{id}`, (m) => ok(this.#instanceJson(this.#instance(m[1]!))));
    this.on('PUT', `${V}/linode/instances/{id}`, (m, b) => {
      const i = this.#instance(m[1]!);
      if (typeof b.label === 'string') {
        this.#uniqueLabel([...this.instances.values()].filter((x) => x !== i), b.label);
        i.label = b.label;
      }
      if (Array.isArray(b.tags)) i.tags = this.#tags(b.tags);
      i.updated = stamp();
      return ok(this.#instanceJson(i));
    });
    this.on('DELETE', `${V}/linode/instances/{id}`, (m) => {
      const i = this.#instance(m[1]!);
      this.instances.delete(i.id);
      for (const f of this.firewalls.values()) for (const [k, d] of f.devices) if (d.linode === i.id) f.devices.delete(k);
      return ok({});
    });
    this.on('GET', `${V}/linode/instances/{id}/ips`, (m) => ok(this.#ipsJson(this.#instance(m[1]!))));
    this.on('POST', `${V}/linode/instances/{id}/resize`, (m, b) => {
      const i = this.#instance(m[1]!);
      if (i.status !== 'running') throw bad('Linode busy.');
      const to = TYPES.find((t) => t.id === b.type);
      if (!to) throw bad('A valid plan type by that ID was not found', 'type');
      if (to.disk < TYPES.find((t) => t.id === i.type)!.disk) throw bad('Unable to resize to a smaller plan: the disks do not fit', 'type');
      i.status = 'migrating';
      i.resizeTo = to.id;
      i.readyAt = Date.now() + this.options.bootMs;
      return ok({});
    });

    // VPCs and subnets
    this.on('GET', `${V}/vpcs`, (_m, _b, url) => this.#page(url, [...this.vpcs.values()].map((v) => this.#vpcJson(v))));
    this.on('POST', `${V}/vpcs`, (_m, b) => {
      const label = String(b.label ?? '');
      if (!/^[a-z0-9-]{1,64}$/i.test(label) || /--/.test(label)) throw bad('Label must be 1-64 letters, digits and single dashes', 'label');
      this.#uniqueLabel([...this.vpcs.values()], label, 'VPC');
      const region = this.#region(String(b.region), 'VPCs');
      const v: StandinVpc = { id: this.#next(), label, description: String(b.description ?? ''), region: region.id, subnets: new Map(), created: stamp(), updated: stamp() };
      this.vpcs.set(v.id, v);
      return ok(this.#vpcJson(v));
    });
    this.on('GET', `${V}/vpcs/{id}`, (m) => ok(this.#vpcJson(this.#vpc(m[1]!))));
    this.on('PUT', `${V}/vpcs/{id}`, (m, b) => {
      const v = this.#vpc(m[1]!);
      if (typeof b.label === 'string') v.label = b.label;
      if (typeof b.description === 'string') v.description = b.description;
      v.updated = stamp();
      return ok(this.#vpcJson(v));
    });
    this.on('DELETE', `${V}/vpcs/{id}`, (m) => {
      const v = this.#vpc(m[1]!);
      if (v.subnets.size > 0 && [...v.subnets.values()].some((s) => this.#subnetLinodes(s.id).length > 0)) throw bad('VPC has Linodes in its subnets and can not be deleted');
      this.vpcs.delete(v.id);
      return ok({});
    });
    this.on('GET', `${V}/vpcs/{id}/subnets`, (m, _b, url) => this.#page(url, [...this.#vpc(m[1]!).subnets.values()].map((s) => this.#subnetJson(s))));
    this.on('POST', `${V}/vpcs/{id}/subnets`, (m, b) => {
      const v = this.#vpc(m[1]!);
      const ipv4 = String(b.ipv4 ?? '');
      if (!/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)\d+\.\d+(\.\d+)?\/\d+$/.test(ipv4)) throw bad('Must be an RFC1918 IPv4 range', 'ipv4');
      if ([...v.subnets.values()].some((s) => overlaps(s.ipv4, ipv4))) throw bad('Subnet ranges must not overlap', 'ipv4');
      this.#uniqueLabel([...v.subnets.values()], String(b.label), 'subnet');
      const s: StandinSubnet = { id: this.#next(), label: String(b.label), ipv4, nextHost: 2, created: stamp(), updated: stamp() };
      v.subnets.set(s.id, s);
      return ok(this.#subnetJson(s));
    });
    this.on('GET', `${V}/vpcs/{id}/subnets/{sid}`, (m) => ok(this.#subnetJson(this.#subnet(m[1]!, m[2]!))));
    this.on('PUT', `${V}/vpcs/{id}/subnets/{sid}`, (m, b) => {
      const s = this.#subnet(m[1]!, m[2]!);
      if (typeof b.label === 'string') s.label = b.label;
      return ok(this.#subnetJson(s));
    });
    this.on('DELETE', `${V}/vpcs/{id}/subnets/{sid}`, (m) => {
      const s = this.#subnet(m[1]!, m[2]!);
      if (this.#subnetLinodes(s.id).length > 0) throw bad('Subnet has Linodes assigned to it and can not be deleted');
      this.#vpc(m[1]!).subnets.delete(s.id);
      return ok({});
    });

    // SSH keys
    this.on('GET', `${V}/profile/sshkeys`, (_m, _b, url) => this.#page(url, [...this.keys.values()].map(keyJson)));
    this.on('POST', `${V}/profile/sshkeys`, (_m, b) => {
      const sshKey = String(b.ssh_key ?? '').trim();
      if (!/^(ssh-(ed25519|rsa)|ecdsa-sha2-\S+) [A-Za-z0-9+/]+=*( .*)?$/.test(sshKey)) throw bad('Invalid SSH key', 'ssh_key');
      const k = { id: this.#next(), label: String(b.label ?? ''), sshKey, created: stamp() };
      this.keys.set(k.id, k);
      return ok(keyJson(k));
    });
    this.on('GET', `${V}/profile/sshkeys/{id}`, (m) => ok(keyJson(this.#key(m[1]!))));
    this.on('PUT', `${V}/profile/sshkeys/{id}`, (m, b) => {
      const k = this.#key(m[1]!);
      if (typeof b.label === 'string') k.label = b.label;
      return ok(keyJson(k));
    });
    this.on('DELETE', `${V}/profile/sshkeys/{id}`, (m) => {
      this.keys.delete(this.#key(m[1]!).id);
      return ok({});
    });

    // Firewalls
    this.on('GET', `${V}/networking/firewalls`, (_m, _b, url) => this.#page(url, [...this.firewalls.values()].map((f) => this.#firewallJson(f))));
    this.on('POST', `${V}/networking/firewalls`, (_m, b) => {
      const label = String(b.label ?? '');
      this.#uniqueLabel([...this.firewalls.values()], label, 'Firewall');
      const f: StandinFirewall = { id: this.#next(), label, tags: this.#tags(b.tags), rules: this.#rules(b.rules), devices: new Map(), created: stamp(), updated: stamp() };
      const linodes = ((b.devices as Body | undefined)?.linodes as number[] | undefined) ?? [];
      for (const l of linodes) this.#attach(f, l);
      this.firewalls.set(f.id, f);
      return ok(this.#firewallJson(f));
    });
    this.on('GET', `${V}/networking/firewalls/{id}`, (m) => ok(this.#firewallJson(this.#firewall(m[1]!))));
    this.on('PUT', `${V}/networking/firewalls/{id}`, (m, b) => {
      const f = this.#firewall(m[1]!);
      if (typeof b.label === 'string') f.label = b.label;
      if (Array.isArray(b.tags)) f.tags = this.#tags(b.tags);
      f.updated = stamp();
      return ok(this.#firewallJson(f));
    });
    this.on('DELETE', `${V}/networking/firewalls/{id}`, (m) => {
      this.firewalls.delete(this.#firewall(m[1]!).id);
      return ok({});
    });
    this.on('GET', `${V}/networking/firewalls/{id}/rules`, (m) => ok(this.#rulesJson(this.#firewall(m[1]!))));
    this.on('PUT', `${V}/networking/firewalls/{id}/rules`, (m, b) => {
      const f = this.#firewall(m[1]!);
      f.rules = this.#rules(b);
      f.updated = stamp();
      return ok(this.#rulesJson(f));
    });
    this.on('GET', `${V}/networking/firewalls/{id}/devices`, (m, _b, url) => {
      const f = this.#firewall(m[1]!);
      return this.#page(url, [...f.devices.values()].map((d) => this.#deviceJson(d)));
    });
    this.on('POST', `${V}/networking/firewalls/{id}/devices`, (m, b) => {
      const f = this.#firewall(m[1]!);
      if (b.type !== 'linode') throw bad('Only Linodes are supported here', 'type');
      return ok(this.#deviceJson(this.#attach(f, Number(b.id))));
    });
    this.on('DELETE', `${V}/networking/firewalls/{id}/devices/{did}`, (m) => {
      const f = this.#firewall(m[1]!);
      if (!f.devices.delete(Number(m[2]))) throw notFound();
      return ok({});
    });

    // NodeBalancers
    this.on('GET', `${V}/nodebalancers`, (_m, _b, url) => this.#page(url, [...this.nodeBalancers.values()].map((n) => this.#nbJson(n))));
    this.on('POST', `${V}/nodebalancers`, (_m, b) => {
      const region = this.#region(String(b.region), 'NodeBalancers');
      const label = String(b.label ?? `nodebalancer${this.#seq}`);
      this.#uniqueLabel([...this.nodeBalancers.values()], label, 'NodeBalancer');
      const n: StandinNodeBalancer = { id: this.#next(), label, region: region.id, tags: this.#tags(b.tags), ipv4: `203.0.113.${this.#host++ % 250}`, configs: new Map(), created: stamp(), updated: stamp() };
      this.nodeBalancers.set(n.id, n);
      return ok(this.#nbJson(n));
    });
    this.on('GET', `${V}/nodebalancers/{id}`, (m) => ok(this.#nbJson(this.#nb(m[1]!))));
    this.on('PUT', `${V}/nodebalancers/{id}`, (m, b) => {
      const n = this.#nb(m[1]!);
      if (typeof b.label === 'string') n.label = b.label;
      if (Array.isArray(b.tags)) n.tags = this.#tags(b.tags);
      return ok(this.#nbJson(n));
    });
    this.on('DELETE', `${V}/nodebalancers/{id}`, (m) => {
      this.nodeBalancers.delete(this.#nb(m[1]!).id);
      return ok({});
    });
    this.on('GET', `${V}/nodebalancers/{id}/configs`, (m, _b, url) => {
      const n = this.#nb(m[1]!);
      return this.#page(url, [...n.configs.values()].map((c) => configJson(n, c)));
    });
    this.on('POST', `${V}/nodebalancers/{id}/configs`, (m, b) => {
      const n = this.#nb(m[1]!);
      const port = Number(b.port ?? 80);
      if ([...n.configs.values()].some((c) => c.port === port)) throw bad('Port is already in use by another config', 'port');
      const c = { id: this.#next(), port, protocol: String(b.protocol ?? 'http'), check: String(b.check ?? 'none'), nodes: new Map() };
      n.configs.set(c.id, c);
      return ok(configJson(n, c));
    });
    this.on('GET', `${V}/nodebalancers/{id}/configs/{cid}`, (m) => ok(configJson(this.#nb(m[1]!), this.#config(m[1]!, m[2]!))));
    this.on('PUT', `${V}/nodebalancers/{id}/configs/{cid}`, (m, b) => {
      const c = this.#config(m[1]!, m[2]!);
      if (typeof b.protocol === 'string') c.protocol = b.protocol;
      if (typeof b.check === 'string') c.check = b.check;
      return ok(configJson(this.#nb(m[1]!), c));
    });
    this.on('DELETE', `${V}/nodebalancers/{id}/configs/{cid}`, (m) => {
      this.#nb(m[1]!).configs.delete(this.#config(m[1]!, m[2]!).id);
      return ok({});
    });
    this.on('GET', `${V}/nodebalancers/{id}/configs/{cid}/nodes`, (m, _b, url) => {
      const c = this.#config(m[1]!, m[2]!);
      return this.#page(url, [...c.nodes.values()].map((x) => this.#nodeJson(this.#nb(m[1]!), c, x)));
    });
    this.on('POST', `${V}/nodebalancers/{id}/configs/{cid}/nodes`, (m, b) => {
      const n = this.#nb(m[1]!);
      const c = this.#config(m[1]!, m[2]!);
      const address = this.#backend(n, String(b.address ?? ''));
      if ([...c.nodes.values()].some((x) => x.address === address)) throw bad('This address is already in use by another node of this config', 'address');
      const x = { id: this.#next(), label: String(b.label), address };
      c.nodes.set(x.id, x);
      return ok(this.#nodeJson(n, c, x));
    });
    this.on('GET', `${V}/nodebalancers/{id}/configs/{cid}/nodes/{nid}`, (m) => {
      const c = this.#config(m[1]!, m[2]!);
      const x = c.nodes.get(Number(m[3]));
      if (!x) throw notFound();
      return ok(this.#nodeJson(this.#nb(m[1]!), c, x));
    });
    this.on('PUT', `${V}/nodebalancers/{id}/configs/{cid}/nodes/{nid}`, (m, b) => {
      const n = this.#nb(m[1]!);
      const c = this.#config(m[1]!, m[2]!);
      const x = c.nodes.get(Number(m[3]));
      if (!x) throw notFound();
      if (typeof b.label === 'string') x.label = b.label;
      if (typeof b.address === 'string') x.address = this.#backend(n, b.address);
      return ok(this.#nodeJson(n, c, x));
    });
    this.on('DELETE', `${V}/nodebalancers/{id}/configs/{cid}/nodes/{nid}`, (m) => {
      if (!this.#config(m[1]!, m[2]!).nodes.delete(Number(m[3]))) throw notFound();
      return ok({});
    });

    // Domains
    this.on('GET', `${V}/domains`, (_m, _b, url) => this.#page(url, [...this.domains.values()].map(domainJson)));
    this.on('GET', `${V}/domains/{id}/records`, (m, _b, url) => this.#page(url, [...this.#domain(m[1]!).records.values()].map(recordJson)));
    this.on('POST', `${V}/domains/{id}/records`, (m, b) => {
      const d = this.#domain(m[1]!);
      const r: StandinRecord = { id: this.#next(), ...recordSpec(b), created: stamp(), updated: stamp() };
      d.records.set(r.id, r);
      return ok(recordJson(r));
    });
    this.on('GET', `${V}/domains/{id}/records/{rid}`, (m) => ok(recordJson(this.#record(m[1]!, m[2]!))));
    this.on('PUT', `${V}/domains/{id}/records/{rid}`, (m, b) => {
      const r = this.#record(m[1]!, m[2]!);
      Object.assign(r, recordSpec({ type: r.type, name: r.name, target: r.target, ttl_sec: r.ttl, ...b }), { updated: stamp() });
      return ok(recordJson(r));
    });
    this.on('DELETE', `${V}/domains/{id}/records/{rid}`, (m) => {
      this.#domain(m[1]!).records.delete(this.#record(m[1]!, m[2]!).id);
      return ok({});
    });
  }

  // ---- instances --------------------------------------------------------------------------------

  #createInstance(b: Body): StandinInstance {
    const region = this.#region(String(b.region), 'Linodes');
    const type = TYPES.find((t) => t.id === b.type);
    if (!type) throw bad('A valid plan type by that ID was not found', 'type');
    const image = IMAGES.find((i) => i.id === b.image);
    if (!image) throw bad('Not found', 'image');
    if (typeof b.root_pass !== 'string' || b.root_pass.length < 7) throw bad('root_pass is required when deploying an image', 'root_pass');
    const label = String(b.label ?? `linode${this.#seq}`);
    this.#uniqueLabel([...this.instances.values()], label);
    const metadata = b.metadata as Body | undefined;
    let userData: string | undefined;
    if (metadata?.user_data !== undefined) {
      if (!region.capabilities.includes('Metadata')) throw bad(`Region ${region.id} does not support Metadata`, 'metadata.user_data');
      if (!image.capabilities.includes('cloud-init')) throw bad(`Image ${image.id} does not support cloud-init`, 'metadata.user_data');
      userData = Buffer.from(String(metadata.user_data), 'base64').toString('utf8');
    }
    const id = this.#next();
    const i: StandinInstance = { id, label, region: region.id, type: type.id, image: image.id, status: 'provisioning', readyAt: Date.now() + this.options.bootMs, tags: this.#tags(b.tags), userData, publicIp: `198.51.100.${this.#host++ % 250}`, created: stamp(), updated: stamp() };
    if (b.private_ip === true) i.privateIp = `192.168.${128 + ((this.#host >> 8) % 127)}.${this.#host++ % 250}`;
    for (const itf of (b.interfaces as Body[] | undefined) ?? []) {
      if (itf.purpose !== 'vpc') continue;
      const found = [...this.vpcs.values()].flatMap((v) => [...v.subnets.values()].map((s) => ({ v, s }))).find(({ s }) => s.id === itf.subnet_id);
      if (!found) throw bad('Subnet not found', 'interfaces[1].subnet_id');
      if (found.v.region !== region.id) throw bad('The VPC is in another region', 'interfaces[1].subnet_id');
      i.vpc = { vpcId: found.v.id, subnetId: found.s.id, address: hostIn(found.s.ipv4, found.s.nextHost++), interfaceId: this.#next() };
    }
    this.instances.set(id, i);
    return i;
  }

  #instanceJson(i: StandinInstance): unknown {
    const type = TYPES.find((t) => t.id === i.type)!;
    return {
      id: i.id,
      label: i.label,
      region: i.region,
      type: i.type,
      image: i.image,
      status: i.status,
      tags: i.tags,
      group: '',
      hypervisor: 'kvm',
      ipv4: [i.publicIp, ...(i.privateIp ? [i.privateIp] : [])],
      ipv6: `2001:db8::${i.id.toString(16).slice(-4)}/128`,
      specs: { disk: type.disk, memory: type.memory, vcpus: type.vcpus, transfer: type.transfer, gpus: 0 },
      alerts: { cpu: 180, io: 10000, network_in: 10, network_out: 10, transfer_quota: 80 },
      backups: { enabled: false, available: false, schedule: { day: 'Scheduling', window: 'Scheduling' } },
      has_user_data: i.userData !== undefined,
      watchdog_enabled: true,
      created: i.created,
      updated: i.updated,
    };
  }

  #ipsJson(i: StandinInstance): unknown {
    const addr = (address: string, pub: boolean, prefix: number, mask: string) => ({ address, ...(pub ? { gateway: address.replace(/\.\d+$/, '.1'), rdns: `${address.replace(/\./g, '-')}.ip.linodeusercontent.com` } : {}), subnet_mask: mask, prefix, type: 'ipv4', public: pub, linode_id: i.id, region: i.region });
    return {
      ipv4: {
        public: [addr(i.publicIp, true, 24, '255.255.255.0')],
        private: i.privateIp ? [addr(i.privateIp, false, 17, '255.255.128.0')] : [],
        shared: [],
        reserved: [],
        vpc: i.vpc ? [{ address: i.vpc.address, address_range: null, vpc_id: i.vpc.vpcId, subnet_id: i.vpc.subnetId, config_id: i.id + 1, interface_id: i.vpc.interfaceId, linode_id: i.id, active: i.status === 'running', prefix: 16, subnet_mask: '255.255.0.0' }] : [],
      },
      ipv6: { global: [] },
    };
  }

  #instance(id: string): StandinInstance {
    const i = this.instances.get(Number(id));
    if (!i) throw notFound();
    return i;
  }

  // ---- the rest ---------------------------------------------------------------------------------

  #region(id: string, service: string) {
    const r = REGIONS.find((x) => x.id === id);
    if (!r) throw bad('region is not valid', 'region');
    if (!r.capabilities.includes(service)) throw bad(`${service} are not available in ${id}`, 'region');
    return r;
  }

  #tags(tags: unknown): string[] {
    const list = Array.isArray(tags) ? tags.map(String) : [];
    for (const t of list) if (t.length < 3 || t.length > 50) throw bad('Length must be 3-50 characters', 'tags');
    return list;
  }

  #uniqueLabel(items: { label: string }[], label: string, what = 'Linode'): void {
    if (items.some((x) => x.label === label)) throw bad(`Label must be unique among your ${what}s`, 'label');
  }

  #vpc(id: string): StandinVpc {
    const v = this.vpcs.get(Number(id));
    if (!v) throw notFound();
    return v;
  }

  #subnet(vpc: string, id: string): StandinSubnet {
    const s = this.#vpc(vpc).subnets.get(Number(id));
    if (!s) throw notFound();
    return s;
  }

  #subnetLinodes(subnet: number): StandinInstance[] {
    return [...this.instances.values()].filter((i) => i.vpc?.subnetId === subnet);
  }

  #vpcJson(v: StandinVpc): unknown {
    return { id: v.id, label: v.label, description: v.description, region: v.region, subnets: [...v.subnets.values()].map((s) => this.#subnetJson(s)), created: v.created, updated: v.updated };
  }

  #subnetJson(s: StandinSubnet): unknown {
    return { id: s.id, label: s.label, ipv4: s.ipv4, linodes: this.#subnetLinodes(s.id).map((i) => ({ id: i.id, interfaces: [{ id: i.vpc!.interfaceId, active: i.status === 'running' }] })), created: s.created, updated: s.updated };
  }

  #key(id: string) {
    const k = this.keys.get(Number(id));
    if (!k) throw notFound();
    return k;
  }

  #firewall(id: string): StandinFirewall {
    const f = this.firewalls.get(Number(id));
    if (!f) throw notFound();
    return f;
  }

  #rules(rules: unknown): Body {
    const r = (rules ?? {}) as Body;
    for (const rule of [...((r.inbound as Body[] | undefined) ?? []), ...((r.outbound as Body[] | undefined) ?? [])]) {
      const a = (rule.addresses ?? {}) as Body;
      if (((a.ipv4 as unknown[] | undefined) ?? []).length + ((a.ipv6 as unknown[] | undefined) ?? []).length === 0) throw bad('Must contain at least one address', 'rules.inbound.addresses');
      if (rule.protocol === 'ICMP' && rule.ports) throw bad('Ports are not allowed for ICMP', 'rules.inbound.ports');
    }
    return { inbound: r.inbound ?? [], inbound_policy: r.inbound_policy ?? 'ACCEPT', outbound: r.outbound ?? [], outbound_policy: r.outbound_policy ?? 'ACCEPT' };
  }

  #rulesJson(f: StandinFirewall): Body {
    return { ...f.rules, version: 1, fingerprint: 'c0ffee00' };
  }

  #attach(f: StandinFirewall, linode: number) {
    if (!this.instances.has(linode)) throw bad(`Linode ${linode} not found`, 'devices.linodes');
    for (const other of this.firewalls.values()) if ([...other.devices.values()].some((d) => d.linode === linode)) throw bad(`Linode ${linode} already belongs to a Firewall`, 'devices.linodes');
    if ([...f.devices.values()].some((d) => d.linode === linode)) throw bad('Device already assigned', 'id');
    const d = { id: this.#next(), linode, created: stamp() };
    f.devices.set(d.id, d);
    return d;
  }

  #deviceJson(d: { id: number; linode: number; created: string }): unknown {
    const i = this.instances.get(d.linode);
    return { id: d.id, entity: { id: d.linode, type: 'linode', label: i?.label ?? 'gone', url: `https://api.linode.com/v4/linode/instances/${d.linode}` }, created: d.created, updated: d.created };
  }

  #firewallJson(f: StandinFirewall): unknown {
    return { id: f.id, label: f.label, status: 'enabled', tags: f.tags, rules: this.#rulesJson(f), created: f.created, updated: f.updated };
  }

  #nb(id: string): StandinNodeBalancer {
    const n = this.nodeBalancers.get(Number(id));
    if (!n) throw notFound();
    return n;
  }

  #config(nb: string, id: string) {
    const c = this.#nb(nb).configs.get(Number(id));
    if (!c) throw notFound();
    return c;
  }

  /** A back end: `192.168.x.x:port` of an instance in the balancer's region. */
  #backend(n: StandinNodeBalancer, address: string): string {
    const [ip, port] = address.split(':');
    if (!ip || !port || !/^192\.168\./.test(ip)) throw bad('Must be a private IPv4 address (192.168.128.0/17) with a port', 'address');
    const owner = [...this.instances.values()].find((i) => i.privateIp === ip);
    if (!owner || owner.region !== n.region) throw bad('Address must belong to a Linode in the NodeBalancer\'s region', 'address');
    return address;
  }

  #nbJson(n: StandinNodeBalancer): unknown {
    return { id: n.id, label: n.label, region: n.region, hostname: `nb-${n.ipv4.replace(/\./g, '-')}.${n.region}.nodebalancer.linode.com`, ipv4: n.ipv4, ipv6: null, client_conn_throttle: 0, tags: n.tags, transfer: { in: 0, out: 0, total: 0 }, created: n.created, updated: n.updated };
  }

  #nodeJson(n: StandinNodeBalancer, c: { id: number }, x: { id: number; label: string; address: string }): unknown {
    return { id: x.id, nodebalancer_id: n.id, config_id: c.id, label: x.label, address: x.address, status: 'UP', weight: 50, mode: 'accept' };
  }

  #domain(id: string) {
    const d = this.domains.get(Number(id));
    if (!d) throw notFound();
    return d;
  }

  #record(domain: string, id: string): StandinRecord {
    const r = this.#domain(domain).records.get(Number(id));
    if (!r) throw notFound();
    return r;
  }
}

function keyJson(k: { id: number; label: string; sshKey: string; created: string }): unknown {
  return { id: k.id, label: k.label, ssh_key: k.sshKey, created: k.created };
}

function configJson(n: StandinNodeBalancer, c: { id: number; port: number; protocol: string; check: string; nodes: Map<number, unknown> }): unknown {
  return {
    id: c.id,
    nodebalancer_id: n.id,
    port: c.port,
    protocol: c.protocol,
    algorithm: 'roundrobin',
    stickiness: 'none',
    check: c.check,
    check_interval: 5,
    check_timeout: 3,
    check_attempts: 2,
    check_path: '',
    check_body: '',
    check_passive: true,
    proxy_protocol: 'none',
    cipher_suite: 'recommended',
    ssl_commonname: '',
    ssl_fingerprint: '',
    ssl_cert: null,
    ssl_key: null,
    nodes_status: { up: c.nodes.size, down: 0 },
  };
}

function domainJson(d: { id: number; domain: string }): unknown {
  return { id: d.id, domain: d.domain, type: 'master', status: 'active', soa_email: `admin@${d.domain}`, tags: [], ttl_sec: 300, refresh_sec: 0, retry_sec: 0, expire_sec: 0, master_ips: [], axfr_ips: [] };
}

function recordSpec(b: Body): { type: string; name: string; target: string; ttl: number } {
  const type = String(b.type);
  const target = String(b.target ?? '');
  if (type === 'A' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(target)) throw bad(`target '${target}' is not an IPv4 address`, 'target');
  if (type === 'CNAME' && !/^[a-z0-9.-]+\.?$/i.test(target)) throw bad(`target '${target}' is not a host name`, 'target');
  return { type, name: String(b.name ?? ''), target, ttl: typeof b.ttl_sec === 'number' ? b.ttl_sec : 0 };
}

function recordJson(r: StandinRecord): unknown {
  return { id: r.id, type: r.type, name: r.name, target: r.target, ttl_sec: r.ttl, priority: 0, weight: 0, port: 0, service: null, protocol: null, tag: null, created: r.created, updated: r.updated };
}

export async function startLinodeStandin(options: LinodeStandinOptions = {}): Promise<LinodeStandin> {
  const s = new LinodeStandin(options);
  await s.listen(options.port);
  return s;
}
