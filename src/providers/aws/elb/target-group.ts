// aws:lb/targetGroup:TargetGroup {name, port, protocol:'TCP', vpcId, targetType:'instance', healthCheck, tags} → {arn}
// aws:lb/listener:Listener {loadBalancerArn, port, protocol:'TCP', defaultActions:[{type:'forward', targetGroupArn}]} → {arn}
// aws:lb/targetGroupAttachment:TargetGroupAttachment {targetGroupArn, targetId, port} → {id}
import {
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, Listener, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext, CreateResult, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, num, str, tagMap } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { elbTags, isOurs, updateElbTags } from './tags.ts';

type Ctx = CallContext<AwsClient>;
type Protocol = 'TCP' | 'UDP' | 'TLS' | 'TCP_UDP' | 'HTTP' | 'HTTPS';

function healthCheck(v: PropertyValue | undefined) {
  const h = (v ?? {}) as PropertyMap;
  return {
    HealthCheckProtocol: (str(h['protocol']) || 'TCP') as Protocol,
    HealthCheckPort: str(h['port']) || 'traffic-port',
  };
}

async function describeGroup(ctx: Ctx, query: { TargetGroupArns?: string[]; Names?: string[] }): Promise<TargetGroup | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeTargetGroups', (o) => ctx.client.elb.send(new DescribeTargetGroupsCommand(query), o));
    return r.TargetGroups?.[0];
  } catch (err) {
    if (isNotFound(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return undefined;
    throw err;
  }
}

const groupResult = (arn: string, inputs: PropertyMap): CreateResult => ({ id: arn, outputs: { ...inputs, arn } });

export const targetGroup: ResourceType<AwsClient> = {
  forceNew: ['name', 'port', 'protocol', 'vpcId', 'targetType'],
  timeouts: { create: 300, update: 300, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateTargetGroup', (o) =>
      ctx.client.elb.send(
        new CreateTargetGroupCommand({
          Name: str(inputs['name']),
          Port: num(inputs['port']),
          Protocol: (str(inputs['protocol']) || 'TCP') as Protocol,
          VpcId: str(inputs['vpcId']),
          TargetType: (str(inputs['targetType']) || 'instance') as 'instance',
          ...healthCheck(inputs['healthCheck']),
          Tags: awsTags(inputs['tags'], ctx.urnTag),
        }),
        o,
      ),
    );
    return groupResult(r.TargetGroups![0]!.TargetGroupArn!, inputs);
  },
  async read(id, state, ctx) {
    const g = await describeGroup(ctx, { TargetGroupArns: [id] });
    if (!g) return undefined;
    const inputs: PropertyMap = {
      ...state.inputs,
      name: g.TargetGroupName ?? '',
      port: g.Port ?? 0,
      protocol: g.Protocol ?? '',
      vpcId: g.VpcId ?? '',
      targetType: g.TargetType ?? '',
      healthCheck: { protocol: g.HealthCheckProtocol ?? '', port: g.HealthCheckPort ?? '' },
      tags: tagMap(await elbTags(ctx, id)),
    };
    return { inputs, outputs: { ...state.outputs, ...inputs, arn: id } };
  },
  async update(id, olds, news, ctx) {
    await updateElbTags(ctx, id, olds.inputs['tags'], news['tags']);
    if (JSON.stringify(olds.inputs['healthCheck']) !== JSON.stringify(news['healthCheck'])) {
      await call(ctx.signal, 'ModifyTargetGroup', (o) => ctx.client.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: id, ...healthCheck(news['healthCheck']) }), o));
    }
    return { outputs: { ...olds.outputs, ...news, arn: id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'DeleteTargetGroup', (o) => ctx.client.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const g = await describeGroup(ctx, { Names: [str(inputs['name'])] });
    if (!g?.TargetGroupArn || ctx.knownIds.includes(g.TargetGroupArn) || !(await isOurs(ctx, g.TargetGroupArn))) return undefined;
    return groupResult(g.TargetGroupArn, inputs);
  },
};

function actions(v: PropertyValue | undefined): Action[] {
  return (Array.isArray(v) ? v : []).map((a) => ({ Type: str((a as PropertyMap)['type']) as 'forward', TargetGroupArn: str((a as PropertyMap)['targetGroupArn']) }));
}

async function describeListener(ctx: Ctx, arn: string): Promise<Listener | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeListeners', (o) => ctx.client.elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }), o));
    return r.Listeners?.[0];
  } catch (err) {
    if (isNotFound(err, 'ListenerNotFound', 'ListenerNotFoundException', 'LoadBalancerNotFound')) return undefined;
    throw err;
  }
}

export const listener: ResourceType<AwsClient> = {
  forceNew: ['loadBalancerArn', 'port', 'protocol'],
  timeouts: { create: 300, update: 300, delete: 300, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateListener', (o) =>
      ctx.client.elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: str(inputs['loadBalancerArn']),
          Port: num(inputs['port']),
          Protocol: (str(inputs['protocol']) || 'TCP') as Protocol,
          DefaultActions: actions(inputs['defaultActions']),
          Tags: awsTags(undefined, ctx.urnTag),
        }),
        o,
      ),
    );
    const arn = r.Listeners![0]!.ListenerArn!;
    return { id: arn, outputs: { ...inputs, arn } };
  },
  async read(id, state, ctx) {
    const l = await describeListener(ctx, id);
    if (!l) return undefined;
    const inputs: PropertyMap = {
      ...state.inputs,
      loadBalancerArn: l.LoadBalancerArn ?? '',
      port: l.Port ?? 0,
      protocol: l.Protocol ?? '',
      defaultActions: (l.DefaultActions ?? []).map((a) => ({ type: a.Type ?? '', targetGroupArn: a.TargetGroupArn ?? '' })),
    };
    return { inputs, outputs: { ...state.outputs, ...inputs, arn: id } };
  },
  async update(id, olds, news, ctx) {
    await call(ctx.signal, 'ModifyListener', (o) => ctx.client.elb.send(new ModifyListenerCommand({ ListenerArn: id, DefaultActions: actions(news['defaultActions']) }), o));
    return { outputs: { ...olds.outputs, ...news, arn: id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'DeleteListener', (o) => ctx.client.elb.send(new DeleteListenerCommand({ ListenerArn: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'ListenerNotFound', 'ListenerNotFoundException')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    // One listener per port on a load balancer.
    let r;
    try {
      r = await call(ctx.signal, 'DescribeListeners', (o) => ctx.client.elb.send(new DescribeListenersCommand({ LoadBalancerArn: str(inputs['loadBalancerArn']) }), o));
    } catch (err) {
      if (isNotFound(err, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) return undefined;
      throw err;
    }
    const l = (r.Listeners ?? []).find((x) => x.Port === num(inputs['port']) && !ctx.knownIds.includes(x.ListenerArn ?? ''));
    return l?.ListenerArn ? { id: l.ListenerArn, outputs: { ...inputs, arn: l.ListenerArn } } : undefined;
  },
};

const attachmentId = (inputs: PropertyMap) => `${str(inputs['targetGroupArn'])}|${str(inputs['targetId'])}|${num(inputs['port']) ?? ''}`;

async function registered(ctx: Ctx, inputs: PropertyMap): Promise<boolean> {
  try {
    const r = await call(ctx.signal, 'DescribeTargetHealth', (o) =>
      ctx.client.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: str(inputs['targetGroupArn']) }), o),
    );
    return (r.TargetHealthDescriptions ?? []).some(
      (d) => d.Target?.Id === str(inputs['targetId']) && (d.Target?.Port ?? num(inputs['port'])) === num(inputs['port']) && d.TargetHealth?.Reason !== 'Target.NotRegistered',
    );
  } catch (err) {
    if (isNotFound(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return false;
    throw err;
  }
}

// An attachment is a registration, not an object: its id is "group|target|port".
export const targetGroupAttachment: ResourceType<AwsClient> = {
  forceNew: ['targetGroupArn', 'targetId', 'port'],
  timeouts: { create: 300, delete: 300, read: 120 },
  async create(inputs, ctx) {
    await call(ctx.signal, 'RegisterTargets', (o) =>
      ctx.client.elb.send(new RegisterTargetsCommand({ TargetGroupArn: str(inputs['targetGroupArn']), Targets: [{ Id: str(inputs['targetId']), Port: num(inputs['port']) }] }), o),
    );
    const id = attachmentId(inputs);
    return { id, outputs: { ...inputs, id } };
  },
  async read(id, state, ctx) {
    return (await registered(ctx, state.inputs)) ? { outputs: { ...state.outputs, id } } : undefined;
  },
  async delete(_id, state, ctx) {
    try {
      await call(ctx.signal, 'DeregisterTargets', (o) =>
        ctx.client.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: str(state.inputs['targetGroupArn']), Targets: [{ Id: str(state.inputs['targetId']), Port: num(state.inputs['port']) }] }), o),
      );
    } catch (err) {
      if (!isNotFound(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException', 'InvalidTarget')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const id = attachmentId(inputs);
    if (ctx.knownIds.includes(id) || !(await registered(ctx, inputs))) return undefined;
    return { id, outputs: { ...inputs, id } };
  },
};
