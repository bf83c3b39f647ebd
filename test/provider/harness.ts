// Shared set-up for engine tests: a temporary test cloud, a registry with the test provider,
// an in-memory stack, and helpers to deploy and inspect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesiredGraph, ProviderRegistry, collectEvents, deploy, destroy, refresh } from '../../src/engine/index.ts';
import type { DeployOptions, DesiredState, DestroyOptions, EngineEvent, RefreshOptions } from '../../src/engine/index.ts';
import type { ResourceState } from '../../src/state/types.ts';
import { FileCloud } from './file-cloud.ts';
import { testProvider } from './test-provider.ts';
import type { TestProviderOptions } from './test-provider.ts';
import { MemoryStack } from './memory-stack.ts';

export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 5 };

export class Harness {
  readonly dir: string;
  readonly cloud: FileCloud;
  readonly provider: ReturnType<typeof testProvider>;
  readonly registry: ProviderRegistry;
  readonly stack: MemoryStack;
  events: EngineEvent[] = [];

  constructor(options: TestProviderOptions = {}, stackName = 'dev') {
    this.dir = mkdtempSync(join(tmpdir(), 'sloth-engine-'));
    this.cloud = new FileCloud(this.dir);
    this.provider = testProvider({ dir: this.dir, ...options });
    this.registry = new ProviderRegistry().register(this.provider);
    this.stack = new MemoryStack(stackName);
  }

  graph(): DesiredGraph {
    return new DesiredGraph(this.stack.name);
  }

  async deploy(desired: DesiredState | DesiredGraph, options: Partial<DeployOptions> = {}) {
    const { sink, events } = collectEvents();
    this.events = events;
    const d = desired instanceof DesiredGraph ? desired.build() : desired;
    return deploy(this.stack, d, { registry: this.registry, onEvent: sink, retry: FAST_RETRY, ...options });
  }

  async destroy(options: Partial<DestroyOptions> = {}) {
    const { sink, events } = collectEvents();
    this.events = events;
    return destroy(this.stack, { registry: this.registry, onEvent: sink, retry: FAST_RETRY, ...options });
  }

  async refresh(options: Partial<RefreshOptions> = {}) {
    const { sink, events } = collectEvents();
    this.events = events;
    return refresh(this.stack, { registry: this.registry, onEvent: sink, retry: FAST_RETRY, ...options });
  }

  /** Custom (cloud) resources in the checkpoint, live copies only. */
  managed(): ResourceState[] {
    return this.stack.deployment.resources.filter((r) => r.custom && !r.type.startsWith('pulumi:providers:'));
  }

  /** Checks the invariant that matters most: the cloud holds exactly what the stack tracks. */
  cloudMatchesStack(): { missing: string[]; orphans: string[] } {
    const tracked = new Set(this.managed().map((r) => r.id!));
    const inCloud = new Set(this.cloud.list().map((o) => o.id));
    return { missing: [...tracked].filter((id) => !inCloud.has(id)), orphans: [...inCloud].filter((id) => !tracked.has(id)) };
  }

  stepOrder(op?: string): string[] {
    return this.events.filter((e) => e.type === 'step-start' && (!op || e.step.op === op)).map((e) => (e as { step: { name: string } }).step.name);
  }

  cleanup(): void {
    const problems = this.stack.integrityProblems;
    if (problems.length > 0) throw new Error(`the journal broke the checkpoint integrity rules:\n${problems.slice(0, 5).join('\n')}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
