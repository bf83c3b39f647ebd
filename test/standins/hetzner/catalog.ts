// What the Hetzner Cloud stand-in offers: locations, server types (one deprecated, one only
// in some locations, one ARM), system images, load balancer types, as the API describes them.
const price = (location: string, monthly: number) => ({
  location,
  price_hourly: { net: (monthly / 730).toFixed(4), gross: ((monthly / 730) * 1.19).toFixed(4) },
  price_monthly: { net: monthly.toFixed(4), gross: (monthly * 1.19).toFixed(4) },
  included_traffic: 21990232555520,
  price_per_tb_traffic: { net: '1.0000', gross: '1.1900' },
});

const location = (id: number, name: string, city: string, country: string, zone: string) => ({ id, name, description: `${city} DC Park 1`, country, city, latitude: 50, longitude: 10, network_zone: zone });

export const LOCATIONS = [
  location(1, 'fsn1', 'Falkenstein', 'DE', 'eu-central'),
  location(2, 'nbg1', 'Nuremberg', 'DE', 'eu-central'),
  location(3, 'hel1', 'Helsinki', 'FI', 'eu-central'),
  location(4, 'ash', 'Ashburn, VA', 'US', 'us-east'),
  location(5, 'hil', 'Hillsboro, OR', 'US', 'us-west'),
  location(6, 'sin', 'Singapore', 'SG', 'ap-southeast'),
];

export const datacenterOf = (loc: (typeof LOCATIONS)[number]) => ({
  id: loc.id,
  name: `${loc.name}-dc${loc.id + 1}`,
  description: `${loc.city} 1 virtual DC`,
  location: loc,
  server_types: { supported: SERVER_TYPES.map((t) => t.id), available: SERVER_TYPES.map((t) => t.id), available_for_migration: SERVER_TYPES.map((t) => t.id) },
});

const serverType = (id: number, name: string, cores: number, memory: number, disk: number, monthly: number, locations: string[], extra: Record<string, unknown> = {}) => ({
  id,
  name,
  description: name.toUpperCase(),
  cores,
  memory,
  disk,
  deprecated: false,
  deprecation: null,
  prices: locations.map((l) => price(l, monthly)),
  storage_type: 'local',
  cpu_type: name.startsWith('ccx') ? 'dedicated' : 'shared',
  architecture: name.startsWith('cax') ? 'arm' : 'x86',
  category: 'shared_vcpu',
  locations: locations.map((l) => ({ id: LOCATIONS.find((x) => x.name === l)!.id, name: l, deprecation: null })),
  ...extra,
});

const EU = ['fsn1', 'nbg1', 'hel1'];
const ALL = LOCATIONS.map((l) => l.name);
export const SERVER_TYPES = [
  serverType(22, 'cx22', 2, 4, 40, 4.59, EU),
  serverType(23, 'cx32', 4, 8, 80, 7.59, EU),
  serverType(24, 'cx42', 8, 16, 160, 18.59, EU),
  serverType(25, 'cpx11', 2, 2, 40, 5.18, ALL),
  serverType(26, 'cpx21', 3, 4, 80, 9.22, ALL),
  serverType(27, 'cpx31', 4, 8, 160, 16.9, ALL),
  serverType(45, 'cax11', 2, 4, 40, 4.59, EU),
  serverType(1, 'cx11', 1, 2, 20, 3.92, EU, { deprecated: true, deprecation: { announced: '2024-06-06T08:00:00+00:00', unavailable_after: '2024-09-06T08:00:00+00:00' } }),
];

const image = (id: number, name: string, architecture: 'x86' | 'arm', version: string) => ({
  id,
  type: 'system',
  status: 'available',
  name,
  description: `Ubuntu ${version}`,
  image_size: null,
  disk_size: 5,
  created: '2024-04-25T12:00:00+00:00',
  created_from: null,
  bound_to: null,
  os_flavor: 'ubuntu',
  os_version: version,
  rapid_deploy: true,
  protection: { delete: false },
  deprecated: null,
  deleted: null,
  labels: {},
  architecture,
});

export const IMAGES = [image(161547269, 'ubuntu-24.04', 'x86', '24.04'), image(161547270, 'ubuntu-24.04', 'arm', '24.04'), image(67794396, 'ubuntu-22.04', 'x86', '22.04')];

const lbType = (id: number, name: string, services: number, targets: number) => ({ id, name, description: name.toUpperCase(), max_connections: 10000 * id, max_services: services, max_targets: targets, max_assigned_certificates: 10, deprecated: null, prices: ALL.map((l) => price(l, 5.39 * id)) });
export const LB_TYPES = [lbType(1, 'lb11', 5, 25), lbType(2, 'lb21', 15, 75), lbType(3, 'lb31', 30, 150)];
