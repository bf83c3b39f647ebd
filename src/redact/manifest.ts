// A manifest's content as shown without --show-secrets. Redaction works on the parsed YAML,
// so a value is hidden whole whatever its shape (plain, quoted, `|`/`>` block, map, list):
//  - the value of every key that names a credential (`isCredentialKey`, the one rule shared
//    with the audit log and the state layer), except null and booleans, which hold nothing;
//  - every value under `data` / `stringData` of a `kind: Secret` object, at any depth (a List);
//  - a node an alias under either of those points to (the anchored original);
//  - text embedded in a string (a HelmChart's `valuesContent: |`, a JSON annotation), redacted
//    the same way: a `|` block keeps its other lines, any other string is hidden whole;
//  - in comments, what the line-by-line rule below hides (`# password: …`, commented out);
//  - the stack's known secret values, wherever they appear (also in comments).
// Everything else keeps its text exactly: each hidden value is replaced in the source by
// "[secret]", so comments, quoting and indentation stay. Text that does not parse as YAML is
// redacted line by line: after a credential key the rest of the line and every following
// line indented deeper are hidden.
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, parseAllDocuments, Scalar, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import { isCredentialKey, REDACTED, scrubText, secretList } from './values.ts';

/** How deep text embedded in strings is parsed again (deeper: line by line). */
const MAX_DEPTH = 3;
const MARKER = JSON.stringify(REDACTED);

export function redactManifest(content: string, secrets: readonly string[]): string {
  const known = secretList(secrets);
  return scrubText(redactText(content, known, 0), known);
}

function redactText(text: string, known: readonly string[], depth: number): string {
  if (depth < MAX_DEPTH) {
    try {
      const out = redactYaml(text, known, depth);
      if (out !== undefined) return out;
    } catch {
      // A shape this code does not expect: the line-by-line rule below never shows less.
    }
  }
  return redactLines(text);
}

/** undefined: not YAML, no document at all (comments only), or, embedded, not a YAML collection. */
function redactYaml(text: string, known: readonly string[], depth: number): string | undefined {
  const docs = parseAllDocuments(text);
  if ('empty' in docs) return undefined;
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  if (depth > 0 && !docs.some((d) => isMap(d.contents) || isSeq(d.contents))) return undefined;
  const edits: Edit[] = [];
  for (const doc of docs) edits.push(...new DocRedaction(text, doc, known, depth).edits());
  // A comment inside a hidden value goes with it.
  for (const c of commentEdits(text)) if (!edits.some((e) => c.from < e.to && e.from < c.to)) edits.push(c);
  return applyEdits(text, edits);
}

/** Comments are redacted line by line (`# password: …`, a value commented out). */
function commentEdits(text: string): Edit[] {
  const edits: Edit[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '\x02' || token === '\x18' || token === '\x1f') continue; // the lexer's markers, not source text
    if (text.slice(offset, offset + token.length) !== token) throw new Error('lexer tokens do not follow the source');
    if (token.startsWith('#')) {
      const body = token.slice(1);
      const redacted = redactLines(body);
      if (redacted !== body) edits.push({ from: offset + 1, to: offset + token.length, text: redacted });
    }
    offset += token.length;
  }
  if (offset !== text.length) throw new Error('lexer tokens do not cover the source');
  return edits;
}

interface Edit {
  from: number;
  to: number;
  text: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.from < sorted[i - 1]!.to) throw new Error('overlapping redactions');
  let out = text;
  for (const e of sorted.reverse()) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/** A value holds nothing to hide: absent, null, true/false. */
const holdsNothing = (v: unknown) => v === null || v === undefined || (isScalar(v) && (v.value === null || typeof v.value === 'boolean'));

class DocRedaction {
  readonly #text: string;
  readonly #doc: Document.Parsed;
  readonly #known: readonly string[];
  readonly #depth: number;
  /** Nodes replaced whole by the marker. */
  readonly #hidden = new Set<Node>();
  /** `|` blocks whose embedded text changed: the block's new source. */
  readonly #blocks = new Map<Node, string>();

  constructor(text: string, doc: Document.Parsed, known: readonly string[], depth: number) {
    this.#text = text;
    this.#doc = doc;
    this.#known = known;
    this.#depth = depth;
  }

  edits(): Edit[] {
    this.#find(this.#doc.contents);
    this.#followAliases();
    const edits: Edit[] = [];
    this.#collect(this.#doc.contents, undefined, edits);
    return edits;
  }

  #source(node: Node): string {
    const r = rangeOf(node);
    return this.#text.slice(r[0], r[1]);
  }

  #keyName(key: unknown): string | undefined {
    if (isScalar(key)) return key.value === null || key.value === undefined ? undefined : String(key.value);
    return key && typeof key === 'object' && 'range' in key ? this.#source(key as Node) : undefined;
  }

  #hide(node: unknown): void {
    if (node && typeof node === 'object') this.#hidden.add(node as Node);
  }

  /** Pass 1: what to hide. */
  #find(node: unknown): void {
    if (isMap(node)) {
      const secret = this.#isSecretObject(node.items);
      for (const pair of node.items) this.#findPair(pair, secret);
    } else if (isSeq(node)) {
      for (const item of node.items) this.#find(item);
    } else if (isPair(node)) {
      this.#findPair(node, false);
    } else if (isScalar(node)) {
      this.#findScalar(node);
    }
  }

  #findPair(pair: Pair, inSecret: boolean): void {
    this.#find(pair.key);
    const name = this.#keyName(pair.key);
    const value = pair.value;
    if (name !== undefined && isCredentialKey(name)) {
      if (!holdsNothing(value)) this.#hide(value);
    } else if (inSecret && (name === 'data' || name === 'stringData')) {
      if (isMap(value)) {
        for (const entry of value.items) {
          this.#find(entry.key);
          if (!holdsNothing(entry.value)) this.#hide(entry.value);
        }
      } else if (!holdsNothing(value)) this.#hide(value);
    } else {
      this.#find(value);
    }
  }

  /** `kind: Secret`; a map with a merge key (`<<`) may be one, so it counts. */
  #isSecretObject(pairs: readonly Pair[]): boolean {
    return pairs.some((p) => {
      const name = this.#keyName(p.key);
      if (name === '<<') return true;
      if (name !== 'kind') return false;
      const v = isAlias(p.value) ? p.value.resolve(this.#doc) : p.value;
      return isScalar(v) && v.value === 'Secret';
    });
  }

  #findScalar(s: Scalar): void {
    if (typeof s.value !== 'string') return;
    const value = s.value;
    const source = this.#source(s);
    // A known secret the text does not spell out each time (escaped, folded over lines): the whole string.
    if (this.#known.some((k) => value.split(k).length > source.split(k).length)) return this.#hide(s);
    // Embedded text can only hold a credential if it names one and has a key separator.
    if (!isCredentialKey(value) || !/[:=]/.test(value)) return;
    if (s.type === Scalar.BLOCK_LITERAL) {
      const block = this.#redactLiteral(source);
      if (block === undefined) this.#hide(s);
      else if (block !== source) this.#blocks.set(s, block);
    } else if (redactText(value, this.#known, this.#depth + 1) !== value) {
      this.#hide(s);
    }
  }

  /** A `|` block with its embedded text redacted, lines re-indented; undefined: hide it whole. */
  #redactLiteral(source: string): string | undefined {
    const nl = source.indexOf('\n');
    if (nl < 0) return undefined;
    const header = source.slice(0, nl + 1);
    if (/\d/.test(header.split('#')[0]!)) return undefined; // explicit indentation indicator
    const lines = source.slice(nl + 1).split('\n');
    const indent = /^[ ]*/.exec(lines.find((l) => l.trim() !== '') ?? '')![0];
    if (indent === '') return undefined;
    const body: string[] = [];
    for (const l of lines) {
      if (l.startsWith(indent)) body.push(l.slice(indent.length));
      else if (l.trim() === '') body.push('');
      else return undefined;
    }
    const inner = body.join('\n');
    const redacted = redactText(inner, this.#known, this.#depth + 1);
    if (redacted === inner) return source;
    return header + redacted.split('\n').map((l) => (l === '' ? '' : indent + l)).join('\n');
  }

  /** What a hidden value was an alias of is hidden too, where it is anchored. */
  #followAliases(): void {
    const queue = [...this.#hidden];
    while (queue.length > 0) {
      const node = queue.pop()!;
      const targets: Node[] = [];
      if (isAlias(node)) {
        const t = node.resolve(this.#doc);
        if (t) targets.push(t);
      } else {
        visit(node, {
          Alias: (_, a) => {
            const t = a.resolve(this.#doc);
            if (t) targets.push(t);
          },
        });
      }
      for (const t of targets) {
        if (this.#hidden.has(t)) continue;
        this.#hidden.add(t);
        queue.push(t);
      }
    }
  }

  /** Pass 2: the text edits, outermost hidden node first (nothing inside it is visited). */
  #collect(node: unknown, pair: Pair | undefined, edits: Edit[]): void {
    if (!node || typeof node !== 'object') return;
    if (this.#hidden.has(node as Node)) {
      edits.push(this.#replacement(node as Node, pair));
      return;
    }
    const block = this.#blocks.get(node as Node);
    if (block !== undefined) {
      const [from, to] = rangeOf(node as Node);
      edits.push({ from, to, text: block });
      return;
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) this.#collect(item, undefined, edits);
    } else if (isPair(node)) {
      this.#collect(node.key, undefined, edits);
      this.#collect(node.value, node, edits);
    }
  }

  /**
   * The marker in place of a node. As a pair's value, everything from the `:` on is replaced
   * (a block map or list starts on the next line); the anchor stays so aliases still resolve.
   */
  #replacement(node: Node, pair: Pair | undefined): Edit {
    const [start, end] = rangeOf(node);
    const eol = /\r?\n$/.exec(this.#text.slice(start, end))?.[0] ?? '';
    const marker = `${node.anchor ? `&${node.anchor} ` : ''}${MARKER}`;
    if (pair?.value === node && pair.key && typeof pair.key === 'object' && 'range' in pair.key) {
      const keyEnd = rangeOf(pair.key as Node)[1];
      const colon = this.#text.indexOf(':', keyEnd);
      if (colon >= 0 && colon < start && /^\s*$/.test(this.#text.slice(keyEnd, colon))) return { from: colon + 1, to: end, text: ` ${marker}${eol}` };
    }
    return { from: start, to: end, text: marker + eol };
  }
}

function rangeOf(node: Node): [number, number] {
  const r = node.range;
  if (!r) throw new Error('a parsed node without a source range');
  return [r[0], r[1]];
}

const KEY = /(["']?)([\w./-]+)\1[ \t]*([:=])/g;

/**
 * For text that is not YAML: after a key that names a credential (anywhere on a line, `key:`
 * or `KEY=`), the rest of the line is hidden, and so is every following line indented deeper
 * than the key (a block or multi-line value); after a bare `key:`, a list at its indentation
 * too. `data`/`stringData` count as credential keys when the text mentions `kind: Secret`.
 */
function redactLines(text: string): string {
  const secretObject = /\bkind\b["']?\s*:\s*["']?Secret\b/.test(text);
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    KEY.lastIndex = 0;
    while ((m = KEY.exec(line)) !== null) {
      const name = m[2]!;
      if (isCredentialKey(name) || (secretObject && (name === 'data' || name === 'stringData'))) break;
    }
    if (!m) {
      out.push(line);
      continue;
    }
    const col = m.index;
    const cut = m.index + m[0].length;
    const rest = line.slice(cut).trim();
    const bare = rest === '' || /^[|>]/.test(rest) || /^[&!]/.test(rest);
    out.push(`${line.slice(0, cut)}${m[3] === ':' ? ' ' : ''}${MARKER}`);
    // Following lines that belong to the value; blank lines between them go with them.
    let j = i + 1;
    let last = i;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim() === '') continue;
      const indent = /^[ \t]*/.exec(l)![0].length;
      if (indent > col || (bare && indent === col && /^-(\s|$)/.test(l.trimStart()))) last = j;
      else break;
    }
    i = last;
  }
  return out.join('\n');
}
