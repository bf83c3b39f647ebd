// Linux virtual machines: SSH key login only (no password), cloud-init's user data sent as
// custom data (base64), a Standard SSD OS disk deleted with the VM, the machine's network
// interface detached on delete (its own resource deletes it after). Size and tags change in
// place (PATCH); everything set at creation replaces the VM.
import type { VirtualMachine } from '@azure/arm-compute';
import type { PropertyMap } from '../../state/types.ts';
import type { ResourceType } from '../../engine/index.ts';
import type { AzureClient } from './client.ts';
import { findAzure, removeAzure } from './errors.ts';
import { call, isOurs, lro, nameOf, resourceGroupOf, str, tagsOf, userTags, type Ctx } from './common.ts';

/** `publisher:offer:sku:version` → an image reference; a resource id (`/subscriptions/…`) → a custom image. */
export function imageReference(image: string): { publisher: string; offer: string; sku: string; version: string } | { id: string } {
  if (image.startsWith('/')) return { id: image };
  const parts = image.split(':');
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw Object.assign(new Error(`image '${image}' is neither publisher:offer:sku:version nor an image resource id`), { hint: 'e.g. Canonical:ubuntu-24_04-lts:server:latest (az vm image list).' });
  }
  const [publisher, offer, sku, version] = parts as [string, string, string, string];
  return { publisher, offer, sku, version };
}

const rg = (i: PropertyMap) => str(i, 'resourceGroupName');
const get = (i: PropertyMap, ctx: Ctx) => findAzure(() => ctx.client.compute.virtualMachines.get(rg(i), str(i, 'name'), call(ctx)));

/** The VM's outputs, with the addresses of its interface (private) and the interface's public IP. */
async function outputsOf(vm: VirtualMachine, inputs: PropertyMap, ctx: Ctx): Promise<PropertyMap> {
  const nicId = vm.networkProfile?.networkInterfaces?.[0]?.id ?? str(inputs, 'networkInterfaceId');
  const nic = await findAzure(() => ctx.client.network.networkInterfaces.get(resourceGroupOf(nicId), nameOf(nicId), call(ctx)));
  const ipConfig = nic?.ipConfigurations?.[0];
  const pipId = ipConfig?.publicIPAddress?.id;
  const pip = pipId ? await findAzure(() => ctx.client.network.publicIPAddresses.get(resourceGroupOf(pipId), nameOf(pipId), call(ctx))) : undefined;
  return { ...inputs, id: vm.id!, vmId: vm.vmId ?? null, vmSize: vm.hardwareProfile?.vmSize ?? str(inputs, 'vmSize'), privateIp: ipConfig?.privateIPAddress ?? null, publicIp: pip?.ipAddress ?? null };
}

export const virtualMachine: ResourceType<AzureClient> = {
  forceNew: ['resourceGroupName', 'name', 'location', 'networkInterfaceId', 'adminUsername', 'sshPublicKey', 'image', 'customData'],
  timeouts: { create: 1200, update: 1200, delete: 1200 },

  async create(inputs, ctx) {
    const user = str(inputs, 'adminUsername');
    const customData = typeof inputs.customData === 'string' && inputs.customData !== '' ? Buffer.from(inputs.customData).toString('base64') : undefined;
    const vm = await ctx.client.compute.virtualMachines.beginCreateOrUpdateAndWait(
      rg(inputs),
      str(inputs, 'name'),
      {
        location: str(inputs, 'location'),
        tags: tagsOf(inputs, ctx),
        hardwareProfile: { vmSize: str(inputs, 'vmSize') },
        storageProfile: {
          imageReference: imageReference(str(inputs, 'image')),
          osDisk: { createOption: 'FromImage', deleteOption: 'Delete', managedDisk: { storageAccountType: 'StandardSSD_LRS' } },
        },
        osProfile: {
          computerName: str(inputs, 'name').slice(0, 64),
          adminUsername: user,
          customData,
          linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: `/home/${user}/.ssh/authorized_keys`, keyData: str(inputs, 'sshPublicKey') }] } },
        },
        networkProfile: { networkInterfaces: [{ id: str(inputs, 'networkInterfaceId'), primary: true, deleteOption: 'Detach' }] },
      },
      lro(ctx),
    );
    return { id: vm.id!, outputs: await outputsOf(vm, inputs, ctx) };
  },

  async read(_id, state, ctx) {
    const vm = await get(state.inputs, ctx);
    if (!vm) return undefined;
    const inputs = { ...state.inputs, vmSize: vm.hardwareProfile?.vmSize ?? '', tags: userTags(vm.tags) };
    return { inputs, outputs: await outputsOf(vm, inputs, ctx) };
  },

  async update(_id, _olds, news, ctx) {
    ctx.log(`updating virtual machine ${str(news, 'name')} (a new size restarts it)`);
    const vm = await ctx.client.compute.virtualMachines.beginUpdateAndWait(rg(news), str(news, 'name'), { hardwareProfile: { vmSize: str(news, 'vmSize') }, tags: tagsOf(news, ctx) }, lro(ctx));
    return { outputs: await outputsOf(vm, news, ctx) };
  },

  async delete(_id, state, ctx) {
    await removeAzure(() => ctx.client.compute.virtualMachines.beginDeleteAndWait(rg(state.inputs), str(state.inputs, 'name'), lro(ctx)));
  },

  async adopt(inputs, ctx) {
    const vm = await get(inputs, ctx);
    if (!vm?.id || !isOurs(vm.tags, ctx) || ctx.knownIds.includes(vm.id)) return undefined;
    // The deploy key the VM was made with (a stack rebuilt by `refresh --config` learns it here).
    const key = vm.osProfile?.linuxConfiguration?.ssh?.publicKeys?.[0]?.keyData;
    return { id: vm.id, outputs: await outputsOf(vm, key ? { ...inputs, sshPublicKey: key } : inputs, ctx) };
  },
};
