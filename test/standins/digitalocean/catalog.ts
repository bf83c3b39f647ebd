// What every DigitalOcean account sees: regions, droplet sizes and public images, shaped as
// the v2 API answers them (DigitalOcean's published slugs and figures). One region is
// unavailable, one size is retired and one is offered in a few regions only, so pre-flight
// checks have something to find.
export interface Region {
  slug: string;
  name: string;
  available: boolean;
  features: string[];
  sizes: string[];
}

export interface Size {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  price_monthly: number;
  price_hourly: number;
  regions: string[];
  available: boolean;
  description: string;
}

export interface Image {
  id: number;
  name: string;
  type: 'base';
  distribution: 'Ubuntu' | 'Debian';
  slug: string;
  public: boolean;
  regions: string[];
  created_at: string;
  min_disk_size: number;
  size_gigabytes: number;
  description: string;
  tags: string[];
  status: 'available';
}

const FEATURES = ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'];
const ALL = ['nyc1', 'nyc3', 'sfo3', 'ams3', 'fra1', 'lon1', 'sgp1', 'tor1', 'blr1', 'syd1'];

const size = (slug: string, memory: number, vcpus: number, disk: number, transfer: number, monthly: number, description: string, regions = ALL, available = true): Size => ({
  slug,
  memory,
  vcpus,
  disk,
  transfer,
  price_monthly: monthly,
  price_hourly: Math.round((monthly / 672) * 100000) / 100000,
  regions: available ? regions : [],
  available,
  description,
});

export const SIZES: Size[] = [
  size('s-1vcpu-512mb-10gb', 512, 1, 10, 0.5, 4, 'Basic', ALL, false),
  size('s-1vcpu-1gb', 1024, 1, 25, 1, 6, 'Basic'),
  size('s-1vcpu-2gb', 2048, 1, 50, 2, 12, 'Basic'),
  size('s-2vcpu-2gb', 2048, 2, 60, 3, 18, 'Basic'),
  size('s-2vcpu-4gb', 4096, 2, 80, 4, 24, 'Basic'),
  size('s-4vcpu-8gb', 8192, 4, 160, 5, 48, 'Basic'),
  size('s-8vcpu-16gb', 16384, 8, 320, 6, 96, 'Basic'),
  size('c-4', 8192, 4, 50, 5, 84, 'CPU-Optimized'),
  size('gd-2vcpu-8gb', 8192, 2, 25, 4, 68, 'General Purpose', ['nyc1', 'sfo3', 'ams3']),
];

const region = (slug: string, name: string, available = true): Region => ({
  slug,
  name,
  available,
  features: FEATURES,
  sizes: available ? SIZES.filter((s) => s.regions.includes(slug)).map((s) => s.slug) : [],
});

export const REGIONS: Region[] = [
  region('nyc1', 'New York 1'),
  region('nyc2', 'New York 2', false),
  region('nyc3', 'New York 3'),
  region('sfo3', 'San Francisco 3'),
  region('ams3', 'Amsterdam 3'),
  region('fra1', 'Frankfurt 1'),
  region('lon1', 'London 1'),
  region('sgp1', 'Singapore 1'),
  region('tor1', 'Toronto 1'),
  region('blr1', 'Bangalore 1'),
  region('syd1', 'Sydney 1'),
];

const image = (id: number, slug: string, name: string, distribution: Image['distribution'], regions = ALL): Image => ({
  id,
  name,
  type: 'base',
  distribution,
  slug,
  public: true,
  regions,
  created_at: '2025-04-24T17:51:38Z',
  min_disk_size: 7,
  size_gigabytes: 2.6,
  description: `${name} x64`,
  tags: [],
  status: 'available',
});

export const IMAGES: Image[] = [
  image(181239405, 'ubuntu-24-04-x64', '24.04 (LTS) x64', 'Ubuntu'),
  image(169440165, 'ubuntu-22-04-x64', '22.04 (LTS) x64', 'Ubuntu'),
  image(179118213, 'debian-12-x64', '12 x64', 'Debian'),
  image(175034487, 'ubuntu-20-04-x64', '20.04 (LTS) x64', 'Ubuntu', ['nyc1', 'sfo3']),
];
