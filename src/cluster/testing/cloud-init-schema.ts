// Validates generated user-data the way `cloud-init schema` does: against cloud-init's own
// JSON schema (draft-04). Both schemas in test/contracts/cloud-init are used: the
// Debian one (22.4) and upstream 26.2, which also refuses unknown top-level keys.
import AjvDraft04 from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const SCHEMAS = [
  new URL('../../../test/contracts/cloud-init/schema-cloud-config-v1.json', import.meta.url),
  new URL('../../../test/contracts/cloud-init/upstream-26.2/schema-cloud-config-v1.json', import.meta.url),
];

let validators: { name: string; validate: (doc: unknown) => string[] }[] | undefined;

function load(): typeof validators {
  if (validators) return validators;
  validators = SCHEMAS.map((url) => {
    // The package is CommonJS: under nodenext its class is the `default` member.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false, logger: false });
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    ajv.addFormat('hostname', /^[A-Za-z0-9.-]+$/);
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    const check = ajv.compile(JSON.parse(readFileSync(url, 'utf8')) as object);
    return {
      name: url.pathname.slice(url.pathname.indexOf('cloud-init/')),
      validate: (doc: unknown) => (check(doc) ? [] : (check.errors ?? []).map((e: { instancePath: string; message?: string; params: unknown }) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)),
    };
  });
  return validators;
}

/** Errors (empty when valid) of a user-data document against every cloud-init schema. */
export function validateUserData(text: string): string[] {
  if (!text.startsWith('#cloud-config\n')) return ['user-data must start with "#cloud-config"'];
  const doc: unknown = parse(text);
  return load()!.flatMap((v) => v.validate(doc).map((e) => `${v.name}: ${e}`));
}
