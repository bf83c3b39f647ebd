// The parts of DigitalOcean's v2 objects this provider reads, typed from the OpenAPI contract
// (test/contracts/digitalocean/DigitalOcean-public.v2.bundled.json). `READ_FIELDS` lists
// them per schema so api.test.ts can check each against the contract.

export interface DoNetworkV4 {
  ip_address: string;
  type: 'public' | 'private';
}

export interface DoDroplet {
  id: number;
  name: string;
  status: 'new' | 'active' | 'off' | 'archive';
  features: string[];
  image: { id?: number; slug?: string | null };
  size_slug: string;
  networks: { v4: DoNetworkV4[] };
  region: { slug: string };
  tags: string[];
  vpc_uuid?: string;
}

export interface DoVpc {
  id: string;
  urn: string;
  name: string;
  description?: string;
  region: string;
  ip_range: string;
}

export interface DoSshKey {
  id: number;
  fingerprint: string;
  public_key: string;
  name: string;
}

export interface DoTag {
  name: string;
  resources?: { count?: number };
}

export interface DoFirewallRuleTargets {
  addresses?: string[];
  tags?: string[] | null;
  load_balancer_uids?: string[];
  droplet_ids?: number[];
}

export interface DoFirewallRule {
  protocol: 'tcp' | 'udp' | 'icmp';
  ports: string;
  sources?: DoFirewallRuleTargets;
  destinations?: DoFirewallRuleTargets;
}

export interface DoFirewall {
  id: string;
  name: string;
  status: 'waiting' | 'succeeded' | 'failed';
  tags: string[] | null;
  inbound_rules: DoFirewallRule[] | null;
  outbound_rules: DoFirewallRule[] | null;
}

export interface DoForwardingRule {
  entry_protocol: string;
  entry_port: number;
  target_protocol: string;
  target_port: number;
}

export interface DoLoadBalancer {
  id: string;
  name: string;
  ip: string;
  status: 'new' | 'active' | 'errored';
  region: { slug: string };
  vpc_uuid?: string;
  tag?: string;
  forwarding_rules: DoForwardingRule[];
  health_check?: { protocol?: string; port?: number };
}

export interface DoDomainRecord {
  id: number;
  type: string;
  name: string;
  data: string;
  ttl: number;
}

export interface DoAccount {
  droplet_limit: number;
  email: string;
  uuid: string;
  status: 'active' | 'warning' | 'locked';
  status_message: string;
}

export interface DoRegion {
  slug: string;
  name: string;
  available: boolean;
  sizes: string[];
  features: string[];
}

export interface DoSize {
  slug: string;
  available: boolean;
  regions: string[];
}

export interface DoImage {
  id: number;
  slug?: string | null;
  regions: string[];
  status?: string;
}

/** Component schema → the fields this provider reads from it (checked against the contract in api.test.ts). */
export const READ_FIELDS: Readonly<Record<string, readonly string[]>> = {
  droplet: ['id', 'name', 'status', 'features', 'image', 'size_slug', 'networks', 'region', 'tags', 'vpc_uuid'],
  vpc: ['id', 'urn', 'name', 'description', 'region', 'ip_range'],
  sshKeys: ['id', 'fingerprint', 'public_key', 'name'],
  tags: ['name', 'resources'],
  firewall: ['id', 'name', 'status', 'tags', 'inbound_rules', 'outbound_rules'],
  load_balancer: ['id', 'name', 'ip', 'status', 'region', 'vpc_uuid', 'tag', 'forwarding_rules', 'health_check'],
  domain_record: ['id', 'type', 'name', 'data', 'ttl'],
  account: ['droplet_limit', 'email', 'uuid', 'status', 'status_message'],
  region: ['slug', 'name', 'available', 'sizes', 'features'],
  size: ['slug', 'available', 'regions'],
  image: ['id', 'slug', 'regions', 'status'],
  action: ['id', 'status', 'type', 'resource_id', 'resource_type'],
};
