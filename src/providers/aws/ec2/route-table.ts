// aws:ec2/routeTable:RouteTable {vpcId, routes:[{cidrBlock, gatewayId}], tags} → {id}
// aws:ec2/routeTableAssociation:RouteTableAssociation {subnetId, routeTableId} → {id}
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DescribeRouteTablesCommand,
  DisassociateRouteTableCommand,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import type { RouteTable } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';

type Ctx = CallContext<AwsClient>;

interface Route {
  cidrBlock: string;
  gatewayId: string;
}

const routesOf = (v: PropertyValue | undefined): Route[] => (Array.isArray(v) ? v.map((r) => ({ cidrBlock: str((r as PropertyMap)['cidrBlock']), gatewayId: str((r as PropertyMap)['gatewayId']) })) : []);

async function describe(ctx: Ctx, id: string): Promise<RouteTable | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeRouteTables', (o) => ctx.client.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }), o));
    return r.RouteTables?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidRouteTableID.NotFound')) return undefined;
    throw err;
  }
}

/** The routes we manage: the table's own, minus the VPC's local route. */
function managedRoutes(t: RouteTable): Route[] {
  return (t.Routes ?? []).filter((r) => r.GatewayId && r.GatewayId !== 'local' && r.DestinationCidrBlock).map((r) => ({ cidrBlock: r.DestinationCidrBlock!, gatewayId: r.GatewayId! }));
}

/** Brings the table's routes to `wanted`. */
async function syncRoutes(ctx: Ctx, id: string, current: Route[], wanted: Route[]): Promise<void> {
  for (const r of wanted) {
    const have = current.find((c) => c.cidrBlock === r.cidrBlock);
    if (have?.gatewayId === r.gatewayId) continue;
    const input = { RouteTableId: id, DestinationCidrBlock: r.cidrBlock, GatewayId: r.gatewayId };
    if (have) await call(ctx.signal, 'ReplaceRoute', (o) => ctx.client.ec2.send(new ReplaceRouteCommand(input), o));
    else await call(ctx.signal, 'CreateRoute', (o) => ctx.client.ec2.send(new CreateRouteCommand(input), o));
  }
  for (const c of current.filter((c) => !wanted.some((w) => w.cidrBlock === c.cidrBlock))) {
    await call(ctx.signal, 'DeleteRoute', (o) => ctx.client.ec2.send(new DeleteRouteCommand({ RouteTableId: id, DestinationCidrBlock: c.cidrBlock }), o));
  }
}

async function finish(ctx: Ctx, t: RouteTable, inputs: PropertyMap) {
  const id = t.RouteTableId!;
  await syncRoutes(ctx, id, managedRoutes(t), routesOf(inputs['routes']));
  return { id, outputs: { ...inputs, id } };
}

export const routeTable: ResourceType<AwsClient> = {
  forceNew: ['vpcId'],
  timeouts: { create: 300, update: 300, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateRouteTable', (o) =>
      ctx.client.ec2.send(new CreateRouteTableCommand({ VpcId: str(inputs['vpcId']), TagSpecifications: [{ ResourceType: 'route-table', Tags: awsTags(inputs['tags'], ctx.urnTag) }] }), o),
    );
    return finish(ctx, r.RouteTable!, inputs);
  },
  async read(id, state, ctx) {
    const t = await describe(ctx, id);
    if (!t) return undefined;
    const inputs = { ...state.inputs, vpcId: t.VpcId ?? '', routes: managedRoutes(t).map((r) => ({ cidrBlock: r.cidrBlock, gatewayId: r.gatewayId })), tags: tagMap(t.Tags) };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    const t = await describe(ctx, id);
    if (!t) throw new Error(`route table ${id} is gone; run refresh, then deploy`);
    await syncRoutes(ctx, id, managedRoutes(t), routesOf(news['routes']));
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'DeleteRouteTable', (o) => ctx.client.ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'InvalidRouteTableID.NotFound')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeRouteTables', (o) => ctx.client.ec2.send(new DescribeRouteTablesCommand({ Filters: [urnFilter(ctx.urnTag)] }), o));
    const found = pickUntracked(r.RouteTables ?? [], (t) => t.RouteTableId, ctx.knownIds, 'route table');
    return found ? finish(ctx, found, inputs) : undefined;
  },
};

async function findAssociation(ctx: Ctx, filter: { Name: string; Values: string[] }, match: (a: { RouteTableAssociationId?: string; SubnetId?: string; RouteTableId?: string }) => boolean) {
  const r = await call(ctx.signal, 'DescribeRouteTables', (o) => ctx.client.ec2.send(new DescribeRouteTablesCommand({ Filters: [filter] }), o));
  for (const t of r.RouteTables ?? []) for (const a of t.Associations ?? []) if (match(a)) return a;
  return undefined;
}

// An association cannot carry a tag; a subnet has at most one, so it is found by its subnet.
export const routeTableAssociation: ResourceType<AwsClient> = {
  forceNew: ['subnetId', 'routeTableId'],
  timeouts: { create: 300, delete: 300, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'AssociateRouteTable', (o) => ctx.client.ec2.send(new AssociateRouteTableCommand({ SubnetId: str(inputs['subnetId']), RouteTableId: str(inputs['routeTableId']) }), o));
    const id = r.AssociationId!;
    return { id, outputs: { ...inputs, id } };
  },
  async read(id, state, ctx) {
    const a = await findAssociation(ctx, { Name: 'association.route-table-association-id', Values: [id] }, (x) => x.RouteTableAssociationId === id);
    if (!a) return undefined;
    const inputs = { ...state.inputs, subnetId: a.SubnetId ?? '', routeTableId: a.RouteTableId ?? '' };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'DisassociateRouteTable', (o) => ctx.client.ec2.send(new DisassociateRouteTableCommand({ AssociationId: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'InvalidAssociationID.NotFound')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const subnetId = str(inputs['subnetId']);
    const routeTableId = str(inputs['routeTableId']);
    const a = await findAssociation(ctx, { Name: 'association.subnet-id', Values: [subnetId] }, (x) => x.SubnetId === subnetId && x.RouteTableId === routeTableId);
    if (!a || ctx.knownIds.includes(a.RouteTableAssociationId!)) return undefined;
    return { id: a.RouteTableAssociationId!, outputs: { ...inputs, id: a.RouteTableAssociationId! } };
  },
};
