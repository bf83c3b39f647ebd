// A stateful stand-in for the part of the Hetzner Cloud API the provider uses: locations,
// server types, images, load balancer types, servers (user data, labels, networks, placement
// groups; power and type-change actions), networks and subnets, SSH keys, placement groups,
// firewalls (label-selector targets, rules), load balancers (network, services, targets) and
// actions. It keeps state in memory, answers in the shapes of the Hetzner Cloud OpenAPI
// contract (tests put it behind `prism proxy` with it, see ../prism.ts), completes actions
// after a short delay, paginates with meta.pagination, sends RateLimit-* headers, filters
// lists by label selector, and can be told to fail the next requests. It refuses what the
// real API refuses where a provider could go wrong: unknown or deprecated types, a type not
// offered in the location, unknown images for the architecture, duplicate names and keys,
// a server on a network without a subnet in its zone, more than ten servers in a spread
// group, deleting a firewall still applied or a group still holding servers, changing the
// type of a running server, private targets on a balancer outside any network.
import { createHash } from 'node:crypto';
import { StandinBase, HttpError, hostIn, overlaps, type Answer, type Body } from '../base.ts';
import { datacenterOf, IMAGES, LB_TYPES, LOCATIONS, SERVER_TYPES } from './catalog.ts';

export const STANDIN_TOKEN = 'standinhetzner0000000000000000000000000000000000000000000000000000';

export interface HetznerStandinOptions {
  tokens?: string[];
  /** How long actions take (ms). */
  actionMs?: number;
  rateLimit?: number;
  port?: number;
}

type Labels = Record<string, string>;

interface Action {
  id: number;
  command: string;
  resources: { id: number; type: string }[];
  started: string;
  doneAt: number;
  status: 'running' | 'success' | 'error';
  effect?: () => void;
}

export interface StandinServer {
  id: number;
  name: string;
  type: string;
  image: number;
  location: string;
  labels: Labels;
  userData?: string;
  sshKeys: number[];
  status: 'initializing' | 'running' | 'off' | 'deleting';
  ipv4: string;
  ipv6: string;
  networks: { network: number; ip: string }[];
  placementGroup?: number;
  created: string;
}

export interface StandinNetwork {
  id: number;
  name: string;
  ipRange: string;
  labels: Labels;
  subnets: { type: 'cloud' | 'server' | 'vswitch'; ip_range: string; network_zone: string; gateway: string; next: number }[];
  created: string;
}

export interface StandinFirewall {
  id: number;
  name: string;
  labels: Labels;
  rules: Body[];
  selectors: string[];
  created: string;
}

export interface StandinLoadBalancer {
  id: number;
  name: string;
  type: string;
  location: string;
  labels: Labels;
  ipv4: string;
  networks: { network: number; ip: string }[];
  services: Body[];
  targets: { selector: string; usePrivateIp: boolean }[];
  created: string;
}

const invalid = (message: string) => new HttpError(400, 'invalid_input', message);
const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, '+00:00');

/** Whether labels match a selector: `k=v`, `k!=v`, `k`, `!k`, comma-separated (all must hold). */
export function matches(labels: Labels, selector: string): boolean {
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    const ne = t.indexOf('!=');
    if (ne > 0) return labels[t.slice(0, ne)] !== t.slice(ne + 2);
    const eq = t.indexOf('=');
    if (eq > 0) return labels[t.slice(0, eq)] === t.slice(eq + 1);
    return t in labels;
  });
}

function checkLabels(labels: unknown): Labels {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw invalid('labels must be an object');
  for (const [k, v] of Object.entries(labels)) {
    if (!/^([a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?$/.test(k)) throw invalid(`label key '${k}' is invalid`);
    if (typeof v !== 'string' || !/^([a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?)?$/.test(v)) throw invalid(`label value '${String(v)}' is invalid`);
  }
  return labels as Labels;
}

export class HetznerStandin extends StandinBase {
  readonly options: { actionMs: number };
  readonly servers = new Map<number, StandinServer>();
  readonly networks = new Map<number, StandinNetwork>();
  readonly keys = new Map<number, { id: number; name: string; publicKey: string; fingerprint: string; labels: Labels; created: string }>();
  readonly placementGroups = new Map<number, { id: number; name: string; labels: Labels; created: string }>();
  readonly firewalls = new Map<number, StandinFirewall>();
  readonly loadBalancers = new Map<number, StandinLoadBalancer>();
  readonly actions = new Map<number, Action>();
  #seq = 1;
  #host = 10;
  #failingActions = 0;

  constructor(options: HetznerStandinOptions = {}) {
    super({
      tokens: options.tokens ?? [STANDIN_TOKEN],
      rateLimit: options.rateLimit ?? 3600,
      rateWindowMs: 3_600_000,
      rateHeaders: { limit: 'ratelimit-limit', remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
      errorBody: (err) => ({ error: { code: err.code, message: err.message, details: {} } }),
    });
    this.options = { actionMs: options.actionMs ?? 100 };
    this.#routes();
  }

  /** The next `count` server create actions end in error. */
  failActions(count: number): void {
    this.#failingActions += count;
  }

  /** Everything the project holds that a deploy makes (for assertions). */
  inventory(): { servers: number; networks: number; subnets: number; keys: number; placementGroups: number; firewalls: number; loadBalancers: number } {
    this.settle();
    let subnets = 0;
    for (const n of this.networks.values()) subnets += n.subnets.length;
    return { servers: this.servers.size, networks: this.networks.size, subnets, keys: this.keys.size, placementGroups: this.placementGroups.size, firewalls: this.firewalls.size, loadBalancers: this.loadBalancers.size };
  }

  protected settle(): void {
    const now = Date.now();
    for (const a of this.actions.values()) {
      if (a.status === 'running' && a.doneAt <= now) {
        a.status = a.command === 'create_server' && this.#failingActions > 0 && this.#failingActions-- > 0 ? 'error' : 'success';
        if (a.status === 'success') a.effect?.();
      }
    }
  }

  #next(): number {
    return 5_000_000 + this.#seq++ * 11;
  }

  #action(command: string, resources: { id: number; type: string }[], effect?: () => void): Action {
    const a: Action = { id: this.#next(), command, resources, started: stamp(), doneAt: Date.now() + this.options.actionMs, status: 'running', effect };
    this.actions.set(a.id, a);
    return a;
  }

  #actionJson(a: Action): unknown {
    const done = a.status !== 'running';
    return { id: a.id, command: a.command, status: a.status, progress: done ? 100 : 0, started: a.started, finished: done ? stamp() : null, resources: a.resources, error: a.status === 'error' ? { code: 'action_failed', message: 'Action failed' } : null };
  }

  #page(url: URL, key: string, items: unknown[]): Answer {
    const per = Math.min(50, Math.max(1, Number(url.searchParams.get('per_page') ?? 25)));
    const last = Math.max(1, Math.ceil(items.length / per));
    const page = Math.min(last, Math.max(1, Number(url.searchParams.get('page') ?? 1)));
    return { status: 200, body: { [key]: items.slice((page - 1) * per, page * per), meta: { pagination: { page, per_page: per, previous_page: page > 1 ? page - 1 : null, next_page: page < last ? page + 1 : null, last_page: last, total_entries: items.length } } } };
  }

  /** Items whose labels match `label_selector` (and whose name is `name`), when given. */
  #filter<T extends { labels: Labels; name: string }>(url: URL, items: Iterable<T>): T[] {
    const selector = url.searchParams.get('label_selector');
    const name = url.searchParams.get('name');
    return [...items].filter((x) => (!selector || matches(x.labels, selector)) && (!name || x.name === name));
  }

  #routes(): void {
    const ok = (body: unknown, status = 200): Answer => ({ status, body });
    this.on('GET', '/actions/{id}', (m) => {
      const a = this.actions.get(Number(m[1]));
      if (!a) throw notFound('action');
      return ok({ action: this.#actionJson(a) });
    });
    this.on('GET', '/locations', (_m, _b, url) => this.#page(url, 'locations', LOCATIONS.filter((l) => !url.searchParams.get('name') || l.name === url.searchParams.get('name'))));
    this.on('GET', '/server_types', (_m, _b, url) => this.#page(url, 'server_types', SERVER_TYPES.filter((t) => !url.searchParams.get('name') || t.name === url.searchParams.get('name'))));
    this.on('GET', '/load_balancer_types', (_m, _b, url) => this.#page(url, 'load_balancer_types', LB_TYPES));
    this.on('GET', '/images', (_m, _b, url) => {
      const name = url.searchParams.get('name');
      const arch = url.searchParams.get('architecture');
      return this.#page(url, 'images', IMAGES.filter((i) => (!name || i.name === name) && (!arch || i.architecture === arch)));
    });

    // Servers
    this.on('GET', '/servers', (_m, _b, url) => this.#page(url, 'servers', this.#filter(url, this.servers.values()).map((s) => this.#serverJson(s))));
    this.on('POST', '/servers', (_m, b) => this.#createServer(b));
    this.on('GET', '/servers/{id}', (m) => ok({ server: this.#serverJson(this.#server(m[1]!)) }));
    this.on('PUT', '/servers/{id}', (m, b) => {
      const s = this.#server(m[1]!);
      if (typeof b.name === 'string') {
        if ([...this.servers.values()].some((x) => x !== s && x.name === b.name)) throw new HttpError(409, 'uniqueness_error', 'server name is already used');
        s.name = b.name;
      }
      if (b.labels !== undefined) s.labels = checkLabels(b.labels);
      return ok({ server: this.#serverJson(s) });
    });
    this.on('DELETE', '/servers/{id}', (m) => {
      const s = this.#server(m[1]!);
      s.status = 'deleting';
      const a = this.#action('delete_server', [{ id: s.id, type: 'server' }], () => this.servers.delete(s.id));
      return ok({ action: this.#actionJson(a) });
    });
    this.on('POST', '/servers/{id}/actions/poweroff', (m) => {
      const s = this.#server(m[1]!);
      return ok({ action: this.#actionJson(this.#action('stop_server', [{ id: s.id, type: 'server' }], () => (s.status = 'off'))) }, 201);
    });
    this.on('POST', '/servers/{id}/actions/poweron', (m) => {
      const s = this.#server(m[1]!);
      return ok({ action: this.#actionJson(this.#action('start_server', [{ id: s.id, type: 'server' }], () => (s.status = 'running'))) }, 201);
    });
    this.on('POST', '/servers/{id}/actions/change_type', (m, b) => {
      const s = this.#server(m[1]!);
      if (s.status !== 'off') throw new HttpError(409, 'server_not_stopped', 'server must be stopped before changing its type');
      const type = this.#serverType(String(b.server_type), s.location);
      const from = SERVER_TYPES.find((t) => t.name === s.type)!;
      if (b.upgrade_disk === true && type.disk < from.disk) throw invalid('cannot downgrade the disk');
      return ok({ action: this.#actionJson(this.#action('change_server_type', [{ id: s.id, type: 'server' }], () => (s.type = type.name))) }, 201);
    });

    // Networks
    this.on('GET', '/networks', (_m, _b, url) => this.#page(url, 'networks', this.#filter(url, this.networks.values()).map((n) => this.#networkJson(n))));
    this.on('POST', '/networks', (_m, b) => {
      const name = String(b.name);
      if ([...this.networks.values()].some((n) => n.name === name)) throw new HttpError(409, 'uniqueness_error', 'network name is already used');
      const ipRange = String(b.ip_range);
      if (!/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.)[\d.]+\/(\d+)$/.test(ipRange) || Number(ipRange.split('/')[1]) > 24) throw invalid('ip_range must be a private range of /24 or larger');
      const n: StandinNetwork = { id: this.#next(), name, ipRange, labels: checkLabels(b.labels), subnets: [], created: stamp() };
      this.networks.set(n.id, n);
      return ok({ network: this.#networkJson(n) }, 201);
    });
    this.on('GET', '/networks/{id}', (m) => ok({ network: this.#networkJson(this.#network(m[1]!)) }));
    this.on('PUT', '/networks/{id}', (m, b) => {
      const n = this.#network(m[1]!);
      if (typeof b.name === 'string') n.name = b.name;
      if (b.labels !== undefined) n.labels = checkLabels(b.labels);
      return ok({ network: this.#networkJson(n) });
    });
    this.on('DELETE', '/networks/{id}', (m) => {
      const n = this.#network(m[1]!);
      if (this.#attached(n.id).length > 0) throw new HttpError(409, 'conflict', 'network still has servers attached');
      this.networks.delete(n.id);
      return { status: 204 };
    });
    this.on('POST', '/networks/{id}/actions/add_subnet', (m, b) => {
      const n = this.#network(m[1]!);
      const ipRange = String(b.ip_range ?? '');
      if (!ipRange) throw invalid('ip_range is required for cloud subnets here');
      if (!overlaps(n.ipRange, ipRange) || Number(ipRange.split('/')[1]) < Number(n.ipRange.split('/')[1])) throw invalid('subnet must lie in the network range');
      if (n.subnets.some((s) => overlaps(s.ip_range, ipRange))) throw new HttpError(409, 'conflict', 'subnet overlaps another subnet');
      const zone = String(b.network_zone);
      if (!LOCATIONS.some((l) => l.network_zone === zone)) throw invalid(`network zone ${zone} is invalid`);
      n.subnets.push({ type: b.type as 'cloud', ip_range: ipRange, network_zone: zone, gateway: hostIn(n.ipRange, 1), next: 2 });
      return ok({ action: this.#actionJson(this.#action('add_subnet', [{ id: n.id, type: 'network' }])) }, 201);
    });
    this.on('POST', '/networks/{id}/actions/delete_subnet', (m, b) => {
      const n = this.#network(m[1]!);
      const i = n.subnets.findIndex((s) => s.ip_range === b.ip_range);
      if (i < 0) throw notFound('subnet');
      if (this.#attached(n.id).length > 0) throw new HttpError(409, 'conflict', 'subnet still has servers attached');
      n.subnets.splice(i, 1);
      return ok({ action: this.#actionJson(this.#action('delete_subnet', [{ id: n.id, type: 'network' }])) }, 201);
    });

    // SSH keys
    this.on('GET', '/ssh_keys', (_m, _b, url) => {
      const fp = url.searchParams.get('fingerprint');
      return this.#page(url, 'ssh_keys', this.#filter(url, this.keys.values()).filter((k) => !fp || k.fingerprint === fp).map(keyJson));
    });
    this.on('POST', '/ssh_keys', (_m, b) => {
      const publicKey = String(b.public_key).trim();
      const blob = publicKey.split(/\s+/)[1];
      if (!/^(ssh-(ed25519|rsa)|ecdsa-sha2-\S+)$/.test(publicKey.split(/\s+/)[0] ?? '') || !blob) throw invalid('invalid public key');
      const fingerprint = createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex').match(/../g)!.join(':');
      if ([...this.keys.values()].some((k) => k.fingerprint === fingerprint)) throw new HttpError(409, 'uniqueness_error', 'SSH key with the same fingerprint already exists');
      if ([...this.keys.values()].some((k) => k.name === b.name)) throw new HttpError(409, 'uniqueness_error', 'SSH key name is already used');
      const k = { id: this.#next(), name: String(b.name), publicKey, fingerprint, labels: checkLabels(b.labels), created: stamp() };
      this.keys.set(k.id, k);
      return ok({ ssh_key: keyJson(k) }, 201);
    });
    this.on('GET', '/ssh_keys/{id}', (m) => ok({ ssh_key: keyJson(this.#key(m[1]!)) }));
    this.on('PUT', '/ssh_keys/{id}', (m, b) => {
      const k = this.#key(m[1]!);
      if (typeof b.name === 'string') k.name = b.name;
      if (b.labels !== undefined) k.labels = checkLabels(b.labels);
      return ok({ ssh_key: keyJson(k) });
    });
    this.on('DELETE', '/ssh_keys/{id}', (m) => {
      this.keys.delete(this.#key(m[1]!).id);
      return { status: 204 };
    });

    // Placement groups
    this.on('GET', '/placement_groups', (_m, _b, url) => this.#page(url, 'placement_groups', this.#filter(url, this.placementGroups.values()).map((g) => this.#groupJson(g))));
    this.on('POST', '/placement_groups', (_m, b) => {
      if (b.type !== 'spread') throw invalid('type must be spread');
      if ([...this.placementGroups.values()].some((g) => g.name === b.name)) throw new HttpError(409, 'uniqueness_error', 'placement group name is already used');
      const g = { id: this.#next(), name: String(b.name), labels: checkLabels(b.labels), created: stamp() };
      this.placementGroups.set(g.id, g);
      return ok({ placement_group: this.#groupJson(g), action: null }, 201);
    });
    this.on('GET', '/placement_groups/{id}', (m) => ok({ placement_group: this.#groupJson(this.#group(m[1]!)) }));
    this.on('PUT', '/placement_groups/{id}', (m, b) => {
      const g = this.#group(m[1]!);
      if (typeof b.name === 'string') g.name = b.name;
      if (b.labels !== undefined) g.labels = checkLabels(b.labels);
      return ok({ placement_group: this.#groupJson(g) });
    });
    this.on('DELETE', '/placement_groups/{id}', (m) => {
      const g = this.#group(m[1]!);
      if ([...this.servers.values()].some((s) => s.placementGroup === g.id)) throw new HttpError(422, 'resource_in_use', 'placement group still holds servers');
      this.placementGroups.delete(g.id);
      return { status: 204 };
    });

    // Firewalls
    this.on('GET', '/firewalls', (_m, _b, url) => this.#page(url, 'firewalls', this.#filter(url, this.firewalls.values()).map((f) => this.#firewallJson(f))));
    this.on('POST', '/firewalls', (_m, b) => {
      if ([...this.firewalls.values()].some((f) => f.name === b.name)) throw new HttpError(409, 'uniqueness_error', 'firewall name is already used');
      const f: StandinFirewall = { id: this.#next(), name: String(b.name), labels: checkLabels(b.labels), rules: checkRules(b.rules), selectors: selectorsOf(b.apply_to), created: stamp() };
      this.firewalls.set(f.id, f);
      const actions = [this.#action('set_firewall_rules', [{ id: f.id, type: 'firewall' }]), ...f.selectors.map(() => this.#action('apply_firewall', [{ id: f.id, type: 'firewall' }]))];
      return ok({ firewall: this.#firewallJson(f), actions: actions.map((a) => this.#actionJson(a)) }, 201);
    });
    this.on('GET', '/firewalls/{id}', (m) => ok({ firewall: this.#firewallJson(this.#firewall(m[1]!)) }));
    this.on('PUT', '/firewalls/{id}', (m, b) => {
      const f = this.#firewall(m[1]!);
      if (typeof b.name === 'string') f.name = b.name;
      if (b.labels !== undefined) f.labels = checkLabels(b.labels);
      return ok({ firewall: this.#firewallJson(f) });
    });
    this.on('DELETE', '/firewalls/{id}', (m) => {
      const f = this.#firewall(m[1]!);
      if (f.selectors.length > 0) throw new HttpError(422, 'resource_in_use', 'firewall is still applied to resources');
      this.firewalls.delete(f.id);
      return { status: 204 };
    });
    this.on('POST', '/firewalls/{id}/actions/set_rules', (m, b) => {
      const f = this.#firewall(m[1]!);
      f.rules = checkRules(b.rules);
      return ok({ actions: [this.#actionJson(this.#action('set_firewall_rules', [{ id: f.id, type: 'firewall' }]))] }, 201);
    });
    this.on('POST', '/firewalls/{id}/actions/apply_to_resources', (m, b) => {
      const f = this.#firewall(m[1]!);
      const add = selectorsOf(b.apply_to);
      for (const s of add) if (f.selectors.includes(s)) throw new HttpError(422, 'firewall_already_applied', 'firewall already applied to this selector');
      f.selectors.push(...add);
      return ok({ actions: add.map(() => this.#actionJson(this.#action('apply_firewall', [{ id: f.id, type: 'firewall' }]))) }, 201);
    });
    this.on('POST', '/firewalls/{id}/actions/remove_from_resources', (m, b) => {
      const f = this.#firewall(m[1]!);
      const remove = selectorsOf(b.remove_from);
      for (const s of remove) if (!f.selectors.includes(s)) throw new HttpError(422, 'firewall_already_removed', 'firewall is not applied to this selector');
      f.selectors = f.selectors.filter((s) => !remove.includes(s));
      return ok({ actions: remove.map(() => this.#actionJson(this.#action('remove_firewall', [{ id: f.id, type: 'firewall' }]))) }, 201);
    });

    // Load balancers
    this.on('GET', '/load_balancers', (_m, _b, url) => this.#page(url, 'load_balancers', this.#filter(url, this.loadBalancers.values()).map((l) => this.#lbJson(l))));
    this.on('POST', '/load_balancers', (_m, b) => {
      const type = LB_TYPES.find((t) => t.name === b.load_balancer_type);
      if (!type) throw invalid('load balancer type not found');
      const location = this.#location(String(b.location));
      if ([...this.loadBalancers.values()].some((l) => l.name === b.name)) throw new HttpError(409, 'uniqueness_error', 'load balancer name is already used');
      const l: StandinLoadBalancer = { id: this.#next(), name: String(b.name), type: type.name, location: location.name, labels: checkLabels(b.labels), ipv4: `203.0.113.${this.#host++ % 250}`, networks: [], services: [], targets: [], created: stamp() };
      this.loadBalancers.set(l.id, l);
      return ok({ load_balancer: this.#lbJson(l), action: this.#actionJson(this.#action('create_load_balancer', [{ id: l.id, type: 'load_balancer' }])) }, 201);
    });
    this.on('GET', '/load_balancers/{id}', (m) => ok({ load_balancer: this.#lbJson(this.#lb(m[1]!)) }));
    this.on('PUT', '/load_balancers/{id}', (m, b) => {
      const l = this.#lb(m[1]!);
      if (typeof b.name === 'string') l.name = b.name;
      if (b.labels !== undefined) l.labels = checkLabels(b.labels);
      return ok({ load_balancer: this.#lbJson(l) });
    });
    this.on('DELETE', '/load_balancers/{id}', (m) => {
      this.loadBalancers.delete(this.#lb(m[1]!).id);
      return { status: 204 };
    });
    const lbAction = (command: string, l: StandinLoadBalancer, effect: () => void): Answer => {
      effect();
      return ok({ action: this.#actionJson(this.#action(command, [{ id: l.id, type: 'load_balancer' }])) }, 201);
    };
    this.on('POST', '/load_balancers/{id}/actions/attach_to_network', (m, b) => {
      const l = this.#lb(m[1]!);
      const n = this.#network(String(b.network));
      if (l.networks.some((x) => x.network === n.id)) throw new HttpError(422, 'load_balancer_already_attached', 'already attached to this network');
      const subnet = n.subnets.find((s) => s.network_zone === LOCATIONS.find((x) => x.name === l.location)!.network_zone);
      if (!subnet) throw invalid('network has no subnet in the load balancer\'s network zone');
      return lbAction('attach_to_network', l, () => l.networks.push({ network: n.id, ip: hostIn(subnet.ip_range, 250 + (subnet.next++ % 5)) }));
    });
    this.on('POST', '/load_balancers/{id}/actions/detach_from_network', (m, b) => {
      const l = this.#lb(m[1]!);
      if (!l.networks.some((x) => x.network === b.network)) throw notFound('network attachment');
      return lbAction('detach_from_network', l, () => (l.networks = l.networks.filter((x) => x.network !== b.network)));
    });
    this.on('POST', '/load_balancers/{id}/actions/add_service', (m, b) => {
      const l = this.#lb(m[1]!);
      if (l.services.some((s) => s.listen_port === b.listen_port)) throw new HttpError(409, 'source_port_already_used', 'listen port already used');
      return lbAction('add_service', l, () => l.services.push(b));
    });
    this.on('POST', '/load_balancers/{id}/actions/update_service', (m, b) => {
      const l = this.#lb(m[1]!);
      const i = l.services.findIndex((s) => s.listen_port === b.listen_port);
      if (i < 0) throw notFound('service');
      return lbAction('update_service', l, () => (l.services[i] = { ...l.services[i], ...b }));
    });
    this.on('POST', '/load_balancers/{id}/actions/delete_service', (m, b) => {
      const l = this.#lb(m[1]!);
      if (!l.services.some((s) => s.listen_port === b.listen_port)) throw notFound('service');
      return lbAction('delete_service', l, () => (l.services = l.services.filter((s) => s.listen_port !== b.listen_port)));
    });
    this.on('POST', '/load_balancers/{id}/actions/add_target', (m, b) => {
      const l = this.#lb(m[1]!);
      if (b.type !== 'label_selector') throw invalid('only label_selector targets here');
      const selector = String((b.label_selector as Body | undefined)?.selector ?? '');
      if (b.use_private_ip === true && l.networks.length === 0) throw new HttpError(422, 'load_balancer_not_attached_to_network', 'load balancer is not attached to a network');
      if (l.targets.some((t) => t.selector === selector)) throw new HttpError(409, 'target_already_defined', 'target already defined');
      return lbAction('add_target', l, () => l.targets.push({ selector, usePrivateIp: b.use_private_ip === true }));
    });
    this.on('POST', '/load_balancers/{id}/actions/remove_target', (m, b) => {
      const l = this.#lb(m[1]!);
      const selector = String((b.label_selector as Body | undefined)?.selector ?? '');
      if (!l.targets.some((t) => t.selector === selector)) throw notFound('target');
      return lbAction('remove_target', l, () => (l.targets = l.targets.filter((t) => t.selector !== selector)));
    });
  }

  // ---- servers ----------------------------------------------------------------------------------

  #createServer(b: Body): Answer {
    const name = String(b.name);
    if ([...this.servers.values()].some((s) => s.name === name)) throw new HttpError(409, 'uniqueness_error', 'server name is already used');
    const location = this.#location(String(b.location));
    const type = this.#serverType(String(b.server_type), location.name);
    const image = IMAGES.find((i) => (i.name === b.image || String(i.id) === b.image) && i.architecture === type.architecture);
    if (!image) throw invalid(`image ${String(b.image)} not found for ${type.architecture}`);
    const sshKeys = ((b.ssh_keys as string[] | undefined) ?? []).map((k) => {
      const found = [...this.keys.values()].find((x) => String(x.id) === k || x.name === k);
      if (!found) throw invalid(`SSH key ${k} not found`);
      return found.id;
    });
    let placementGroup: number | undefined;
    if (b.placement_group !== undefined) {
      const g = this.#group(String(b.placement_group));
      if ([...this.servers.values()].filter((s) => s.placementGroup === g.id).length >= 10) throw new HttpError(412, 'placement_error', 'spread placement group is full');
      placementGroup = g.id;
    }
    const id = this.#next();
    const networks = ((b.networks as number[] | undefined) ?? []).map((nid) => {
      const n = this.#network(String(nid));
      const subnet = n.subnets.find((s) => s.network_zone === location.network_zone);
      if (!subnet) throw invalid(`network ${n.id} has no subnet in network zone ${location.network_zone}`);
      return { network: n.id, ip: hostIn(subnet.ip_range, subnet.next++) };
    });
    const pub = (b.public_net ?? {}) as Body;
    const s: StandinServer = { id, name, type: type.name, image: image.id, location: location.name, labels: checkLabels(b.labels), userData: typeof b.user_data === 'string' ? b.user_data : undefined, sshKeys, status: 'initializing', ipv4: pub.enable_ipv4 === false ? '' : `198.51.100.${this.#host++ % 250}`, ipv6: pub.enable_ipv6 === false ? '' : `2001:db8:${(id % 65536).toString(16)}::/64`, networks: [], placementGroup, created: stamp() };
    this.servers.set(id, s);
    const resource = [{ id, type: 'server' }];
    const create = this.#action('create_server', resource, () => {
      s.networks = networks;
      s.status = b.start_after_create === false ? 'off' : 'running';
    });
    const next = [this.#action('start_server', resource), ...networks.map(() => this.#action('attach_to_network', resource))];
    return { status: 201, body: { server: this.#serverJson(s), action: this.#actionJson(create), next_actions: next.map((a) => this.#actionJson(a)), root_password: null } };
  }

  #serverJson(s: StandinServer): unknown {
    const loc = LOCATIONS.find((l) => l.name === s.location)!;
    const type = SERVER_TYPES.find((t) => t.name === s.type)!;
    const group = s.placementGroup !== undefined ? this.placementGroups.get(s.placementGroup) : undefined;
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      created: s.created,
      public_net: {
        ipv4: s.ipv4 ? { id: s.id + 1, ip: s.ipv4, blocked: false, dns_ptr: `static.${s.ipv4.split('.').reverse().join('.')}.clients.your-server.de` } : null,
        ipv6: s.ipv6 ? { id: s.id + 2, ip: s.ipv6, blocked: false, dns_ptr: [] } : null,
        floating_ips: [],
        firewalls: [...this.firewalls.values()].filter((f) => f.selectors.some((sel) => matches(s.labels, sel))).map((f) => ({ id: f.id, status: 'applied' })),
      },
      private_net: s.networks.map((n) => ({ network: n.network, ip: n.ip, alias_ips: [], mac_address: '86:00:00:2a:7d:e0' })),
      server_type: type,
      datacenter: datacenterOf(loc),
      location: loc,
      image: IMAGES.find((i) => i.id === s.image)!,
      iso: null,
      rescue_enabled: false,
      locked: false,
      backup_window: null,
      outgoing_traffic: 0,
      ingoing_traffic: 0,
      included_traffic: 21990232555520,
      protection: { delete: false, rebuild: false },
      labels: s.labels,
      volumes: [],
      load_balancers: [...this.loadBalancers.values()].filter((l) => l.targets.some((t) => matches(s.labels, t.selector))).map((l) => l.id),
      primary_disk_size: type.disk,
      placement_group: group ? this.#groupJson(group) : null,
    };
  }

  #server(id: string): StandinServer {
    const s = this.servers.get(Number(id));
    if (!s) throw notFound('server');
    return s;
  }

  #serverType(name: string, location: string) {
    const type = SERVER_TYPES.find((t) => t.name === name);
    if (!type) throw invalid(`server type ${name} not found`);
    if (type.deprecated) throw invalid(`server type ${name} is deprecated`);
    if (!type.locations.some((l) => l.name === location)) throw new HttpError(412, 'resource_unavailable', `server type ${name} is not available in ${location}`);
    return type;
  }

  #location(name: string) {
    const l = LOCATIONS.find((x) => x.name === name);
    if (!l) throw invalid(`location ${name} not found`);
    return l;
  }

  // ---- the rest ---------------------------------------------------------------------------------

  #attached(network: number): StandinServer[] {
    return [...this.servers.values()].filter((s) => s.networks.some((n) => n.network === network));
  }

  #network(id: string): StandinNetwork {
    const n = this.networks.get(Number(id));
    if (!n) throw notFound('network');
    return n;
  }

  #networkJson(n: StandinNetwork): unknown {
    return {
      id: n.id,
      name: n.name,
      ip_range: n.ipRange,
      subnets: n.subnets.map(({ next: _next, ...s }) => ({ ...s, vswitch_id: null })),
      routes: [],
      servers: this.#attached(n.id).map((s) => s.id),
      load_balancers: [...this.loadBalancers.values()].filter((l) => l.networks.some((x) => x.network === n.id)).map((l) => l.id),
      protection: { delete: false },
      labels: n.labels,
      created: n.created,
      expose_routes_to_vswitch: false,
    };
  }

  #key(id: string) {
    const k = this.keys.get(Number(id));
    if (!k) throw notFound('SSH key');
    return k;
  }

  #group(id: string) {
    const g = this.placementGroups.get(Number(id));
    if (!g) throw notFound('placement group');
    return g;
  }

  #groupJson(g: { id: number; name: string; labels: Labels; created: string }): unknown {
    return { id: g.id, name: g.name, labels: g.labels, type: 'spread', created: g.created, servers: [...this.servers.values()].filter((s) => s.placementGroup === g.id).map((s) => s.id) };
  }

  #firewall(id: string): StandinFirewall {
    const f = this.firewalls.get(Number(id));
    if (!f) throw notFound('firewall');
    return f;
  }

  #firewallJson(f: StandinFirewall): unknown {
    return {
      id: f.id,
      name: f.name,
      labels: f.labels,
      created: f.created,
      rules: f.rules.map((r) => ({ direction: r.direction, protocol: r.protocol, port: r.port ?? null, source_ips: r.source_ips ?? [], destination_ips: r.destination_ips ?? [], description: r.description ?? null })),
      applied_to: f.selectors.map((selector) => ({ type: 'label_selector', label_selector: { selector }, applied_to_resources: [...this.servers.values()].filter((s) => matches(s.labels, selector)).map((s) => ({ type: 'server', server: { id: s.id } })) })),
    };
  }

  #lb(id: string): StandinLoadBalancer {
    const l = this.loadBalancers.get(Number(id));
    if (!l) throw notFound('load balancer');
    return l;
  }

  #lbJson(l: StandinLoadBalancer): unknown {
    return {
      id: l.id,
      name: l.name,
      public_net: { enabled: true, ipv4: { ip: l.ipv4, dns_ptr: `static.${l.ipv4}.clients.your-server.de` }, ipv6: { ip: '2001:db8::1', dns_ptr: 'static.lb.clients.your-server.de' } },
      private_net: l.networks.map((n) => ({ network: n.network, ip: n.ip })),
      location: LOCATIONS.find((x) => x.name === l.location)!,
      load_balancer_type: LB_TYPES.find((t) => t.name === l.type)!,
      protection: { delete: false },
      labels: l.labels,
      targets: l.targets.map((t) => ({
        type: 'label_selector',
        label_selector: { selector: t.selector },
        use_private_ip: t.usePrivateIp,
        targets: [...this.servers.values()].filter((s) => matches(s.labels, t.selector)).map((s) => ({ type: 'server', server: { id: s.id }, use_private_ip: t.usePrivateIp, health_status: l.services.map((sv) => ({ listen_port: sv.listen_port as number, status: 'healthy' })) })),
      })),
      services: l.services,
      algorithm: { type: 'round_robin' },
      outgoing_traffic: 0,
      ingoing_traffic: 0,
      included_traffic: 21990232555520,
      created: l.created,
    };
  }
}

function keyJson(k: { id: number; name: string; publicKey: string; fingerprint: string; labels: Labels; created: string }): unknown {
  return { id: k.id, name: k.name, fingerprint: k.fingerprint, public_key: k.publicKey, labels: k.labels, created: k.created };
}

function checkRules(rules: unknown): Body[] {
  const list = (rules ?? []) as Body[];
  for (const r of list) {
    if (r.direction === 'in' && ((r.source_ips as unknown[] | undefined) ?? []).length === 0) throw invalid('source_ips must not be empty for inbound rules');
    if ((r.protocol === 'tcp' || r.protocol === 'udp') && !r.port) throw invalid('port is required for tcp and udp rules');
    if ((r.protocol === 'icmp' || r.protocol === 'esp' || r.protocol === 'gre') && r.port) throw invalid(`port is not allowed for ${String(r.protocol)} rules`);
  }
  return list;
}

function selectorsOf(targets: unknown): string[] {
  return ((targets ?? []) as Body[]).map((t) => {
    if (t.type !== 'label_selector') throw invalid('only label_selector resources here');
    return String((t.label_selector as Body | undefined)?.selector ?? '');
  });
}

export async function startHetznerStandin(options: HetznerStandinOptions = {}): Promise<HetznerStandin> {
  const s = new HetznerStandin(options);
  await s.listen(options.port);
  return s;
}
