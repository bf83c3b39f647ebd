// URNs and provider references exactly as Pulumi writes them (STATE-FORMAT.md §2.5, §2.6):
//   urn:pulumi:<stack>::<project>::<qualified type>::<name>
// where the qualified type is `ParentQualifiedType$Type` below a parent other than the root
// stack, and a provider reference is `<provider urn>::<provider id>`.
import { createHash } from 'node:crypto';
import { UNKNOWN_VALUE } from '../state/types.ts';

export const PROJECT = 'sloth-kubernetes';
export const ROOT_STACK_TYPE = 'pulumi:pulumi:Stack';
export const PROVIDER_TYPE_PREFIX = 'pulumi:providers:';

export interface ParsedUrn {
  stack: string;
  project: string;
  /** `Parent$Child` chain as written in the URN. */
  qualifiedType: string;
  /** The resource's own type (last segment of the qualified type). */
  type: string;
  name: string;
}

export function makeUrn(stack: string, type: string, name: string, parentQualifiedType?: string, project = PROJECT): string {
  const qualified = parentQualifiedType ? `${parentQualifiedType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function rootStackUrn(stack: string, project = PROJECT): string {
  return makeUrn(stack, ROOT_STACK_TYPE, `${project}-${stack}`, undefined, project);
}

export function parseUrn(urn: string): ParsedUrn {
  if (!urn.startsWith('urn:pulumi:')) throw new Error(`not a URN (must start with "urn:pulumi:"): ${urn}`);
  const parts = urn.slice('urn:pulumi:'.length).split('::');
  if (parts.length < 4) throw new Error(`not a URN (needs stack::project::type::name): ${urn}`);
  const [stack, project, qualifiedType] = parts as [string, string, string];
  // The name is everything after the third `::` and may itself contain `::`.
  const name = parts.slice(3).join('::');
  const type = qualifiedType.slice(qualifiedType.lastIndexOf('$') + 1);
  return { stack, project, qualifiedType, type, name };
}

/** The qualified type a child of `parentUrn` extends; undefined for the root stack. */
export function qualifiedTypeForChildren(parentUrn: string): string | undefined {
  const parsed = parseUrn(parentUrn);
  return parsed.type === ROOT_STACK_TYPE ? undefined : parsed.qualifiedType;
}

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** `aws` for `aws:ec2/vpc:Vpc` and for `pulumi:providers:aws`. */
export function packageOf(type: string): string {
  if (isProviderType(type)) return type.slice(PROVIDER_TYPE_PREFIX.length);
  const i = type.indexOf(':');
  return i < 0 ? type : type.slice(0, i);
}

export function defaultProviderUrn(stack: string, pkg: string, project = PROJECT): string {
  return makeUrn(stack, `${PROVIDER_TYPE_PREFIX}${pkg}`, 'default', undefined, project);
}

export function formatProviderRef(providerUrn: string, id: string | undefined): string {
  return `${providerUrn}::${id ?? UNKNOWN_VALUE}`;
}

export function parseProviderRef(ref: string): { urn: string; id: string } {
  const i = ref.lastIndexOf('::');
  if (i < 0) throw new Error(`not a provider reference (<urn>::<id>): ${ref}`);
  const urn = ref.slice(0, i);
  const { type } = parseUrn(urn);
  if (!isProviderType(type)) throw new Error(`provider reference does not name a pulumi:providers: resource: ${ref}`);
  return { urn, id: ref.slice(i + 2) };
}

/**
 * The tag value providers attach to every cloud object they create, so that `adopt` can find
 * an object an interrupted create left behind. A hash keeps it short and free of characters
 * clouds refuse in tags and labels (`:`, `$`), while staying unique per URN.
 */
export function urnTag(urn: string): string {
  return createHash('sha256').update(urn).digest('hex').slice(0, 32);
}
