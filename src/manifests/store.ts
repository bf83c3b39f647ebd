// Where the registry lives: `manifests/registry.json` (sealed with the stack's secrets,
// rewritten under the stack's lock by the command that deploys) and each version's content,
// addressed by its SHA-256, as `manifests/content/<hash>.json` (sealed; written once).
import type { StackAttachments } from '../state/index.ts';
import { contentHash, emptyRegistry } from './registry.ts';
import type { Registry } from './registry.ts';

const REGISTRY = 'manifests/registry.json';
const contentName = (hash: string) => `manifests/content/${hash}.json`;

export class ManifestStore {
  readonly #attachments: StackAttachments;
  constructor(attachments: StackAttachments) {
    this.#attachments = attachments;
  }

  async load(): Promise<Registry> {
    return (await this.#attachments.getSealed<Registry>(REGISTRY)) ?? emptyRegistry();
  }

  async save(reg: Registry): Promise<void> {
    await this.#attachments.putSealed(REGISTRY, reg);
  }

  /** Stores a version's content once (content-addressed, so a second write is a no-op). */
  async putContent(content: string): Promise<string> {
    const hash = contentHash(content);
    await this.#attachments.createSealed(contentName(hash), { content });
    return hash;
  }

  async content(hash: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    return (await this.#attachments.getSealed<{ content: string }>(contentName(hash)))?.content;
  }
}
