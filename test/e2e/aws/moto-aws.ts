// moto (the AWS emulator) set up as a region of AWS looks to sloth-kubernetes: besides moto's
// own catalogue, Canonical's Ubuntu 24.04 images (owner 099720109477, the names AWS publishes)
// are loaded through moto's MOTO_AMIS_PATH, so the planner's default image look-up resolves.
// Shared by the end-to-end tests, the demo (scripts/demo-aws.ts) and the benchmark.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { motoAvailable, MOTO_MISSING, startMoto } from '../../helpers/moto.ts';

export { motoAvailable, MOTO_MISSING };

/** The Ubuntu images the catalogue holds: an older and a newer build of 24.04, and 22.04. */
export const UBUNTU_IMAGES = [
  { ami_id: 'ami-0a0e5d9c7acc336f1', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240423', creation_date: '2024-04-23T10:00:00.000Z' },
  { ami_id: 'ami-04b70fa74e45c3917', name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250305', creation_date: '2025-03-05T10:00:00.000Z' },
  { ami_id: 'ami-0e86e20dae9224db8', name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240801', creation_date: '2024-08-01T10:00:00.000Z' },
].map((i) => ({
  ...i,
  state: 'available',
  public: true,
  owner_id: '099720109477',
  image_location: `amazon/${i.name}`,
  sriov: 'simple',
  root_device_type: 'ebs',
  root_device_name: '/dev/sda1',
  description: 'Canonical, Ubuntu, amd64 server image',
  image_type: 'machine',
  platform: null,
  architecture: 'x86_64',
  virtualization_type: 'hvm',
  hypervisor: 'xen',
}));
/** The image the default look-up must choose: the newest 24.04 build. */
export const NEWEST_UBUNTU = 'ami-04b70fa74e45c3917';

export interface AwsEmulator {
  endpoint: string;
  /** Environment that points the CLI (and the SDK) at this server, with dummy credentials. */
  env: Record<string, string>;
  /** Drops everything moto holds (between tests). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** `motoEnv` adds variables for moto itself (INITIAL_NO_AUTH_ACTION_COUNT turns IAM enforcement on). */
export async function startAwsEmulator(motoEnv: Record<string, string> = {}): Promise<AwsEmulator | undefined> {
  if (!motoAvailable()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sloth-moto-'));
  const amis = join(dir, 'amis.json');
  writeFileSync(amis, JSON.stringify(UBUNTU_IMAGES));
  const moto = await startMoto({ ...motoEnv, MOTO_AMIS_PATH: amis });
  if (!moto) return undefined;
  const { endpoint } = moto;
  return {
    endpoint,
    env: { ...moto.env, AWS_EC2_METADATA_DISABLED: 'true' },
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
