// Who is in the mesh: the bastion (when there is one) and every node, in a fixed order so
// that new members are numbered deterministically.
import type { ClusterModel } from '../model.ts';
import type { MeshMemberInput } from './mesh.ts';

export function meshMembersOf(model: Pick<ClusterModel, 'bastion' | 'nodes'>): MeshMemberInput[] {
  const members: MeshMemberInput[] = [];
  if (model.bastion) {
    const b = model.bastion;
    members.push({ name: b.name, kind: 'bastion', provider: b.provider, region: b.region, publicAddress: true });
  }
  for (const n of model.nodes) members.push({ name: n.name, kind: 'node', provider: n.provider, region: n.region, publicAddress: n.publicAddress });
  return members;
}
