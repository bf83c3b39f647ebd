// What the Linode stand-in offers: a few regions (one without Metadata, one with an outage),
// instance types and images as Linode's API describes them.
const ALL = ['Linodes', 'Block Storage', 'VPCs', 'Cloud Firewall', 'NodeBalancers', 'Metadata'];

export const REGIONS = [
  { id: 'us-east', label: 'Newark, NJ', country: 'us', status: 'ok', capabilities: ALL, resolvers: { ipv4: '192.0.2.1,192.0.2.2', ipv6: '2001:db8::1' }, placement_group_limits: { maximum_linodes_per_pg: 5, maximum_pgs_per_customer: 100 } },
  { id: 'us-central', label: 'Dallas, TX', country: 'us', status: 'ok', capabilities: ALL, resolvers: { ipv4: '192.0.2.3', ipv6: '2001:db8::2' }, placement_group_limits: { maximum_linodes_per_pg: 5, maximum_pgs_per_customer: 100 } },
  { id: 'eu-west', label: 'London, UK', country: 'gb', status: 'ok', capabilities: ALL, resolvers: { ipv4: '192.0.2.4', ipv6: '2001:db8::3' }, placement_group_limits: { maximum_linodes_per_pg: 5, maximum_pgs_per_customer: 100 } },
  { id: 'ap-south', label: 'Singapore, SG', country: 'sg', status: 'ok', capabilities: ['Linodes', 'Block Storage', 'NodeBalancers', 'Cloud Firewall'], resolvers: { ipv4: '192.0.2.5', ipv6: '2001:db8::4' }, placement_group_limits: { maximum_linodes_per_pg: 5, maximum_pgs_per_customer: 100 } },
  { id: 'ca-central', label: 'Toronto, CA', country: 'ca', status: 'outage', capabilities: ALL, resolvers: { ipv4: '192.0.2.6', ipv6: '2001:db8::5' }, placement_group_limits: { maximum_linodes_per_pg: 5, maximum_pgs_per_customer: 100 } },
];

const type = (id: string, label: string, vcpus: number, memory: number, disk: number, monthly: number) => ({
  id,
  label,
  class: id.includes('nanode') ? 'nanode' : 'standard',
  vcpus,
  memory,
  disk,
  transfer: 1000 * vcpus,
  network_out: 1000 * vcpus,
  gpus: 0,
  successor: null,
  price: { hourly: monthly / 730, monthly },
  addons: { backups: { price: { hourly: monthly / 3650, monthly: monthly / 5 } } },
});

export const TYPES = [
  type('g6-nanode-1', 'Nanode 1GB', 1, 1024, 25600, 5),
  type('g6-standard-1', 'Linode 2GB', 1, 2048, 51200, 12),
  type('g6-standard-2', 'Linode 4GB', 2, 4096, 81920, 24),
  type('g6-standard-4', 'Linode 8GB', 4, 8192, 163840, 48),
  type('g6-standard-6', 'Linode 16GB', 6, 16384, 327680, 96),
];

const image = (id: string, label: string, cloudInit: boolean) => ({
  id,
  label,
  description: null,
  vendor: label.split(' ')[0],
  type: 'manual',
  is_public: true,
  deprecated: false,
  status: 'available',
  size: 2500,
  total_size: 2500,
  created: '2024-04-25T00:00:00Z',
  created_by: 'linode',
  expiry: null,
  eol: '2029-04-01T04:00:00Z',
  capabilities: cloudInit ? ['cloud-init'] : [],
  tags: [],
  regions: [],
});

export const IMAGES = [image('linode/ubuntu24.04', 'Ubuntu 24.04 LTS', true), image('linode/ubuntu22.04', 'Ubuntu 22.04 LTS', true), image('linode/debian11', 'Debian 11', false)];
