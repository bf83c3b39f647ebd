// Values known only at apply time (a machine's public address, the load balancer's name)
// appear in rendered scripts and files as `{{sloth:<name>}}`; the remote-command resource
// fills them from its resolved `vars` input just before running. Values are restricted to
// the characters of addresses, host names and URLs, so that filling them in can never
// change the meaning of the YAML, shell or WireGuard text around them.

const PLACEHOLDER = /\{\{sloth:([a-z0-9][a-z0-9._-]*)\}\}/g;
const SAFE_VALUE = /^[A-Za-z0-9.:/_[\]%-]*$/;

export function placeholder(name: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`bad placeholder name '${name}'`);
  return `{{sloth:${name}}}`;
}

/** Names of the placeholders in a text, in order of first appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Fills the placeholders `vars` has a string or number for and leaves the others as they are,
 * visibly: how a recorded file is read back (the registry's content, comparing with the stack).
 * Values are not checked; use `fillTemplate` for what runs.
 */
export function fillKnownPlaceholders(text: string, vars: Readonly<Record<string, unknown>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

/** Replaces every placeholder; a missing or unsafe value is an error naming it. */
export function fillTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new TemplateError(`no value for {{sloth:${name}}}`);
    if (!SAFE_VALUE.test(value)) throw new TemplateError(`value of {{sloth:${name}}} has characters an address or URL never has: ${JSON.stringify(value.slice(0, 40))}`);
    return value;
  });
}
