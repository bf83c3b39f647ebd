// A manifest's content as shown without --show-secrets: the stack's known secret values are
// replaced, and so are the values of keys that name a credential (`token:`, `password:`)
// and the data of Kubernetes Secrets.
import { parseAllDocuments } from 'yaml';
import { scrubText, secretList, REDACTED } from '../../audit/index.ts';

const CREDENTIAL_KEY = /^(\s*-?\s*"?)([A-Za-z0-9_.-]*(token|password|passwd|secret|private[-_]?key|api[-_]?key|client[-_]?key[-_]?data|credentials?)[A-Za-z0-9_.-]*)("?\s*:\s*)(\S.*)$/i;

export function redactManifest(content: string, secrets: readonly string[]): string {
  let out = scrubText(content, secretList(secrets));
  out = out
    .split('\n')
    .map((line) => {
      const m = CREDENTIAL_KEY.exec(line);
      return m && m[5] !== REDACTED && m[5] !== `"${REDACTED}"` ? `${m[1]}${m[2]}${m[4]}${REDACTED}` : line;
    })
    .join('\n');
  return redactSecretObjects(out);
}

/** Values under `data:` / `stringData:` of `kind: Secret` documents. */
function redactSecretObjects(text: string): string {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return text;
  }
  if (!docs.some((d) => (d.toJSON() as { kind?: unknown } | null)?.kind === 'Secret')) return text;
  return docs
    .map((d) => {
      const obj = d.toJSON() as Record<string, unknown> | null;
      if (obj?.kind === 'Secret') {
        for (const k of ['data', 'stringData']) {
          const section = obj[k];
          if (section && typeof section === 'object') for (const key of Object.keys(section)) (section as Record<string, string>)[key] = REDACTED;
        }
        d.contents = d.createNode(obj) as typeof d.contents;
      }
      return d.toString();
    })
    .join('');
}
