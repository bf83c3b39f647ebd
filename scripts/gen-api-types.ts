// Generates the request and response types of the cloud clients from the vendors' OpenAPI
// documents (test/contracts/), with openapi-typescript: `src/providers/<cloud>/openapi.d.ts`,
// used through openapi-fetch, so a path, parameter or field the contract lacks is a compile
// error. Only the operations the providers call are kept (with every schema they reach), so
// type checking stays quick; calling a new one means adding it below and running
//
//   node scripts/gen-api-types.ts
//
// `--check` regenerates in memory and fails if a committed file differs (a test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import openapiTS, { astToString } from 'openapi-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Target {
  cloud: string;
  spec: string;
  /** A path prefix the document keeps as a parameter, written out (Linode's `/{apiVersion}` → `/v4`). */
  prefix?: { parameter: string; value: string };
  operations: Record<string, Method[]>;
}

const TARGETS: Target[] = [
  {
    cloud: 'digitalocean',
    spec: 'test/contracts/digitalocean/DigitalOcean-public.v2.bundled.json',
    operations: {
      '/v2/account': ['get'],
      '/v2/account/keys': ['get', 'post'],
      '/v2/account/keys/{ssh_key_identifier}': ['get', 'put', 'delete'],
      '/v2/actions/{action_id}': ['get'],
      '/v2/domains/{domain_name}': ['get'],
      '/v2/domains/{domain_name}/records': ['get', 'post'],
      '/v2/domains/{domain_name}/records/{domain_record_id}': ['get', 'put', 'delete'],
      '/v2/droplets': ['get', 'post'],
      '/v2/droplets/{droplet_id}': ['get', 'delete'],
      '/v2/droplets/{droplet_id}/actions': ['post'],
      '/v2/firewalls': ['get', 'post'],
      '/v2/firewalls/{firewall_id}': ['get', 'put', 'delete'],
      '/v2/images/{image_id}': ['get'],
      '/v2/load_balancers': ['get', 'post'],
      '/v2/load_balancers/{lb_id}': ['get', 'put', 'delete'],
      '/v2/regions': ['get'],
      '/v2/sizes': ['get'],
      '/v2/tags': ['post'],
      '/v2/tags/{tag_id}': ['get', 'delete'],
      '/v2/tags/{tag_id}/resources': ['post', 'delete'],
      '/v2/vpcs': ['get', 'post'],
      '/v2/vpcs/{vpc_id}': ['get', 'patch', 'delete'],
      '/v2/vpcs/{vpc_id}/members': ['get'],
    },
  },
  {
    cloud: 'linode',
    spec: 'test/contracts/linode/openapi-v4.189.0.yaml',
    prefix: { parameter: 'apiVersion', value: 'v4' },
    operations: {
      '/v4/profile': ['get'],
      '/v4/account': ['get'],
      '/v4/account/availability/{id}': ['get'],
      '/v4/regions': ['get'],
      '/v4/linode/types': ['get'],
      '/v4/images': ['get'],
      '/v4/linode/instances': ['get', 'post'],
      '/v4/linode/instances/{linodeId}': ['get', 'put', 'delete'],
      '/v4/linode/instances/{linodeId}/ips': ['get'],
      '/v4/linode/instances/{linodeId}/resize': ['post'],
      '/v4/vpcs': ['get', 'post'],
      '/v4/vpcs/{vpcId}': ['get', 'put', 'delete'],
      '/v4/vpcs/{vpcId}/subnets': ['get', 'post'],
      '/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}': ['get', 'put', 'delete'],
      '/v4/profile/sshkeys': ['get', 'post'],
      '/v4/profile/sshkeys/{sshKeyId}': ['get', 'put', 'delete'],
      '/v4/networking/firewalls': ['get', 'post'],
      '/v4/networking/firewalls/{firewallId}': ['get', 'put', 'delete'],
      '/v4/networking/firewalls/{firewallId}/rules': ['get', 'put'],
      '/v4/networking/firewalls/{firewallId}/devices': ['get', 'post'],
      '/v4/networking/firewalls/{firewallId}/devices/{deviceId}': ['delete'],
      '/v4/nodebalancers': ['get', 'post'],
      '/v4/nodebalancers/{nodeBalancerId}': ['get', 'put', 'delete'],
      '/v4/nodebalancers/{nodeBalancerId}/configs': ['get', 'post'],
      '/v4/nodebalancers/{nodeBalancerId}/configs/{configId}': ['get', 'put', 'delete'],
      '/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes': ['get', 'post'],
      '/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes/{nodeId}': ['get', 'put', 'delete'],
      '/v4/domains': ['get'],
      '/v4/domains/{domainId}/records': ['get', 'post'],
      '/v4/domains/{domainId}/records/{recordId}': ['get', 'put', 'delete'],
    },
  },
  {
    cloud: 'hetzner',
    spec: 'test/contracts/hetzner/hcloud.json',
    operations: {
      '/actions/{id}': ['get'],
      '/locations': ['get'],
      '/server_types': ['get'],
      '/load_balancer_types': ['get'],
      '/images': ['get'],
      '/servers': ['get', 'post'],
      '/servers/{id}': ['get', 'put', 'delete'],
      '/servers/{id}/actions/poweroff': ['post'],
      '/servers/{id}/actions/poweron': ['post'],
      '/servers/{id}/actions/change_type': ['post'],
      '/networks': ['get', 'post'],
      '/networks/{id}': ['get', 'put', 'delete'],
      '/networks/{id}/actions/add_subnet': ['post'],
      '/networks/{id}/actions/delete_subnet': ['post'],
      '/ssh_keys': ['get', 'post'],
      '/ssh_keys/{id}': ['get', 'put', 'delete'],
      '/placement_groups': ['get', 'post'],
      '/placement_groups/{id}': ['get', 'put', 'delete'],
      '/firewalls': ['get', 'post'],
      '/firewalls/{id}': ['get', 'put', 'delete'],
      '/firewalls/{id}/actions/set_rules': ['post'],
      '/firewalls/{id}/actions/apply_to_resources': ['post'],
      '/firewalls/{id}/actions/remove_from_resources': ['post'],
      '/load_balancers': ['get', 'post'],
      '/load_balancers/{id}': ['get', 'put', 'delete'],
      '/load_balancers/{id}/actions/attach_to_network': ['post'],
      '/load_balancers/{id}/actions/detach_from_network': ['post'],
      '/load_balancers/{id}/actions/add_service': ['post'],
      '/load_balancers/{id}/actions/update_service': ['post'],
      '/load_balancers/{id}/actions/delete_service': ['post'],
      '/load_balancers/{id}/actions/add_target': ['post'],
      '/load_balancers/{id}/actions/remove_target': ['post'],
    },
  },
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Doc = { paths: Record<string, Record<string, Json>>; components?: Record<string, Record<string, Json>> } & Record<string, Json>;

/** The document with only the listed operations and the components they reach. */
function prune(doc: Doc, target: Target): Doc {
  const paths: Record<string, Record<string, Json>> = {};
  const strip = (p: string) => (target.prefix ? p.replace(`/{${target.prefix.parameter}}`, `/${target.prefix.value}`) : p);
  const dropPrefixParam = (params: Json): Json => (Array.isArray(params) && target.prefix ? params.filter((p) => !(p && typeof p === 'object' && !Array.isArray(p) && (p.name === target.prefix!.parameter || p.$ref === `#/components/parameters/${target.prefix!.parameter}`))) : params);
  for (const [raw, item] of Object.entries(doc.paths)) {
    const path = strip(raw);
    const methods = target.operations[path];
    if (!methods) continue;
    const kept: Record<string, Json> = {};
    for (const [k, v] of Object.entries(item)) {
      if (k === 'parameters') kept[k] = dropPrefixParam(v);
      else if ((methods as string[]).includes(k)) kept[k] = v && typeof v === 'object' && !Array.isArray(v) && 'parameters' in v ? { ...v, parameters: dropPrefixParam(v.parameters!) } : v;
      else if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'].includes(k)) kept[k] = v;
    }
    const missing = methods.filter((m) => !(m in kept));
    if (missing.length) throw new Error(`${target.cloud}: ${path} has no ${missing.join(', ')} in the contract`);
    paths[path] = kept;
  }
  const absent = Object.keys(target.operations).filter((p) => !(p in paths));
  if (absent.length) throw new Error(`${target.cloud}: not in the contract: ${absent.join(', ')}`);

  // Components reached from the kept operations, transitively.
  const components: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  const walk = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/') && !seen.has(ref)) {
      seen.add(ref);
      const [, , kind, name] = ref.split('/') as [string, string, string, string];
      const value = doc.components?.[kind]?.[name];
      if (value === undefined) throw new Error(`${target.cloud}: dangling ${ref}`);
      (components[kind] ??= {})[name] = value;
      walk(value);
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(paths as Json);
  const { paths: _p, components: _c, ...rest } = doc;
  return bare({ ...rest, paths, components }) as Doc;
}

/** Without prose and examples (a schema's `description` property is an object, and stays). */
function bare(node: Json, names = false): Json {
  if (Array.isArray(node)) return node.map((n) => bare(n));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    // Under `properties` the keys are field names: keep them all.
    if (!names && (((k === 'description' || k === 'summary') && typeof v === 'string') || k === 'example' || k === 'examples' || k.startsWith('x-'))) continue;
    out[k] = bare(v, k === 'properties' && !names);
  }
  return out;
}

async function generate(target: Target): Promise<string> {
  const text = readFileSync(join(root, target.spec), 'utf8');
  const doc = (target.spec.endsWith('.json') ? JSON.parse(text) : parse(text, { maxAliasCount: -1 })) as Doc;
  // A field with a default is optional to send (defaultNonNullable: false): the API fills it in.
  const ast = await openapiTS(prune(doc, target) as never, { alphabetize: true, defaultNonNullable: false });
  const header = `// Generated by scripts/gen-api-types.ts from ${target.spec} (the operations the provider calls). Do not edit.\n`;
  return header + astToString(ast);
}

const check = process.argv.includes('--check');
let stale = 0;
for (const target of TARGETS) {
  const out = join(root, 'src/providers', target.cloud, 'openapi.d.ts');
  const text = await generate(target);
  if (check) {
    let old = '';
    try {
      old = readFileSync(out, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (old !== text) {
      stale++;
      process.stderr.write(`${out} is not what the generator makes: run node scripts/gen-api-types.ts\n`);
    }
  } else {
    writeFileSync(out, text);
    process.stdout.write(`${out}: ${text.split('\n').length} lines\n`);
  }
}
process.exitCode = stale ? 1 : 0;
