// Holds what the AWS provider sends to AWS's own service models (botocore's service-2.json,
// in test/contracts/aws): every operation exists, every member we set exists in its
// shape (recursively), every required member is set, and enum values are allowed ones. Tests
// record requests with `recordRequests` and check them with `checkRequests`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS } from '../../../../test/helpers/parts.ts';
import type { AwsClient } from '../client.ts';

const MODELS = join(CONTRACTS, 'aws/botocore-1.29.27/');
const FILES: Record<string, string> = {
  EC2: 'ec2/2016-11-15/service-2.json',
  ElasticLoadBalancingV2: 'elbv2/2015-12-01/service-2.json',
  Route53: 'route53/2013-04-01/service-2.json',
  STS: 'sts/2011-06-15/service-2.json',
};

interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string }>;
  required?: string[];
  member?: { shape: string };
  enum?: string[];
}
interface Model {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

export interface RecordedRequest {
  service: string;
  operation: string;
  input: unknown;
}

const cache = new Map<string, Model>();
export function modelFor(service: string): Model | undefined {
  const file = FILES[service];
  if (!file) return undefined;
  if (!cache.has(service)) cache.set(service, JSON.parse(readFileSync(MODELS + file, 'utf8')) as Model);
  return cache.get(service);
}


/** Records every request the client's SDK clients send (the service models cover EC2, ELBv2, Route 53, STS). */
export function recordRequests(client: AwsClient, into: RecordedRequest[]): void {
  const services: [string, { middlewareStack: { add: (mw: never, opts: { step: 'initialize'; name: string }) => void } }][] = [
    ['EC2', client.ec2],
    ['ElasticLoadBalancingV2', client.elb],
    ['Route53', client.route53],
    ['STS', client.sts],
    ['EC2', client.home().ec2],
    ['STS', client.home().sts],
  ];
  for (const [service, sdk] of services) {
    const mw = (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
      into.push({ service, operation: (context.commandName ?? '').replace(/Command$/, ''), input: structuredClone(args.input) });
      return next(args);
    };
    sdk.middlewareStack.add(mw as never, { step: 'initialize', name: 'slothRecordRequests' });
  }
}

/** Every way the recorded requests break the service models (empty when they all conform). */
export function checkRequests(requests: readonly RecordedRequest[]): string[] {
  const problems = new Set<string>();
  for (const r of requests) {
    const model = modelFor(r.service);
    if (!model) continue;
    const op = model.operations[r.operation];
    if (!op) {
      problems.add(`${r.service} has no operation ${r.operation}`);
      continue;
    }
    if (op.input) checkValue(model, op.input.shape, r.input, `${r.service}.${r.operation}`, problems);
  }
  return [...problems];
}

function checkValue(model: Model, shapeName: string, value: unknown, path: string, problems: Set<string>, inUrl = false): void {
  const shape = model.shapes[shapeName];
  if (!shape || value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.add(`${path}: expected a structure (${shapeName})`);
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) if (obj[req] === undefined) problems.add(`${path}: required member ${req} is missing`);
      for (const [k, v] of Object.entries(obj)) {
        const m = shape.members?.[k];
        if (!m) problems.add(`${path}: ${shapeName} has no member ${k}`);
        // Members sent in the URL or a header travel as text; newer SDKs type some as numbers.
        else checkValue(model, m.shape, v, `${path}.${k}`, problems, m.location !== undefined);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) problems.add(`${path}: expected a list (${shapeName})`);
      else value.forEach((v, i) => checkValue(model, shape.member!.shape, v, `${path}[${i}]`, problems));
      return;
    case 'string':
      if (inUrl && typeof value === 'number') return;
      if (typeof value !== 'string') problems.add(`${path}: expected a string`);
      else if (shape.enum && !shape.enum.includes(value)) problems.add(`${path}: '${value}' is not one of ${shapeName}'s values`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) problems.add(`${path}: expected an integer`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.add(`${path}: expected a boolean`);
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string') problems.add(`${path}: expected bytes`);
      return;
    default:
      return;
  }
}
