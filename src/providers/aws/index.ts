// The AWS provider package: EC2 (VPC, subnets, gateway, routes, security groups and their
// rules, key pair, image look-up, instances), ELBv2 (network load balancer, target groups,
// listeners, registrations) and Route 53 records, over the official AWS SDK v3.
import type { ProviderPackage } from '../../engine/index.ts';
import { AwsConfigError, makeClient } from './client.ts';
import type { AwsClient } from './client.ts';
import { classifyError } from './errors.ts';
import { vpc } from './ec2/vpc.ts';
import { internetGateway } from './ec2/internet-gateway.ts';
import { routeTable, routeTableAssociation } from './ec2/route-table.ts';
import { subnet } from './ec2/subnet.ts';
import { securityGroup } from './ec2/security-group.ts';
import { securityGroupIngressRule } from './ec2/security-group-rule.ts';
import { keyPair } from './ec2/key-pair.ts';
import { imageLookup } from './ec2/image-lookup.ts';
import { instance } from './ec2/instance.ts';
import { loadBalancer } from './elb/load-balancer.ts';
import { listener, targetGroup, targetGroupAttachment } from './elb/target-group.ts';
import { record } from './route53/record.ts';
import { preflight } from './preflight.ts';

export type { AwsClient } from './client.ts';
export { AwsConfigError, makeClient } from './client.ts';

export const provider: ProviderPackage<AwsClient> = {
  name: 'aws',
  configure: (config, ctx) => makeClient(config, ctx.env),
  classifyError: (err) => (err instanceof AwsConfigError ? 'permanent' : classifyError(err)),
  preflight,
  resources: {
    'aws:ec2/vpc:Vpc': vpc,
    'aws:ec2/internetGateway:InternetGateway': internetGateway,
    'aws:ec2/routeTable:RouteTable': routeTable,
    'aws:ec2/subnet:Subnet': subnet,
    'aws:ec2/routeTableAssociation:RouteTableAssociation': routeTableAssociation,
    'aws:ec2/securityGroup:SecurityGroup': securityGroup,
    'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': securityGroupIngressRule,
    'aws:ec2/keyPair:KeyPair': keyPair,
    'aws:ec2/imageLookup:ImageLookup': imageLookup,
    'aws:ec2/instance:Instance': instance,
    'aws:lb/loadBalancer:LoadBalancer': loadBalancer,
    'aws:lb/targetGroup:TargetGroup': targetGroup,
    'aws:lb/listener:Listener': listener,
    'aws:lb/targetGroupAttachment:TargetGroupAttachment': targetGroupAttachment,
    'aws:route53/record:Record': record,
  },
};
