// Pre-flight in the engine: every provider configuration that will create or change
// something is asked first; every problem of every provider comes back together, located in
// the config, and nothing is created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { ProviderRegistry } from './provider.ts';
import type { PreflightItem, ProviderPackage } from './provider.ts';
import { EngineError } from './errors.ts';
import { UNKNOWN_VALUE } from '../state/types.ts';

/** A second package whose objects live in memory, to see that its pre-flight is asked too. */
function memoryPackage(name: string, preflight?: ProviderPackage['preflight'], configure?: ProviderPackage['configure']): ProviderPackage & { made: string[] } {
  const made: string[] = [];
  return {
    name,
    made,
    configure: configure ?? (() => ({})),
    classifyError: () => 'permanent',
    resources: {
      [`${name}:index:Box`]: {
        async create(inputs) {
          made.push(String(inputs['label']));
          return { id: `box-${made.length}`, outputs: { ...inputs } };
        },
        async read(_id, s) {
          return { outputs: s.outputs };
        },
        async delete() {},
        async adopt() {
          return undefined;
        },
      },
    },
    ...(preflight ? { preflight } : {}),
  };
}

function setup(h: Harness, testPreflight: ProviderPackage['preflight'], other: ProviderPackage) {
  const registry = new ProviderRegistry().register({ ...h.provider, preflight: testPreflight }).register(other);
  const g = h.graph();
  const cfg = g.provider('test', 'eu', { region: 'eu-1', token: 's3cr3t-token' }, { sourcePosition: 'providers.test', secretInputs: ['token'] });
  const a = g.resource('test:index:Thing', 'a', { size: 1 }, { provider: cfg, sourcePosition: 'node-pools.small' });
  g.resource('test:index:Thing', 'b', { parentArn: a.output('arn'), size: 2 }, { provider: cfg, sourcePosition: 'node-pools.big' });
  g.resource('other:index:Box', 'box', { label: 'x' }, { sourcePosition: 'network.dns' });
  g.locateSource = (path) => `${path} at cluster.lisp:${path.length}:1`;
  return { registry, graph: g };
}

test('every problem of every provider is reported together, located, and nothing is created', async () => {
  const h = new Harness();
  try {
    const seen: { items: readonly PreflightItem[] }[] = [];
    const other = memoryPackage('other', async (_c, items) => [{ message: 'the zone does not exist', hint: 'Create it.', urn: items[0]!.urn }]);
    const { registry, graph } = setup(
      h,
      async (_client, items) => {
        seen.push({ items });
        return [
          { message: 'size 2 is not offered (token s3cr3t-token)', hint: 'Pick another size.', urn: items.find((i) => i.inputs['size'] === 2)!.urn },
          { message: 'the credentials do not work' },
        ];
      },
      other,
    );
    await assert.rejects(
      () => h.deploy(graph, { registry }),
      (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.match(err.message, /^pre-flight found 3 problems; nothing was created:/);
        assert.match(err.message, /- test b \(node-pools\.big at cluster\.lisp:14:1\): size 2 is not offered \(token \[secret\]\)\n {6}Pick another size\./);
        assert.match(err.message, /- test \(providers\.test at cluster\.lisp:14:1\): the credentials do not work/);
        assert.match(err.message, /- other box \(network\.dns at cluster\.lisp:11:1\): the zone does not exist/);
        assert.match(err.hint ?? '', /Nothing was created or changed/);
        return true;
      },
    );
    assert.deepEqual(h.cloud.list(), []);
    assert.deepEqual(other.made, []);
    assert.deepEqual(h.managed(), []);
    // What the provider was shown: planned inputs, references not known yet as unknowns.
    const items = seen[0]!.items;
    assert.deepEqual(
      items.map((i) => [i.op, i.inputs['size'], i.inputs['parentArn'], i.sourcePosition]),
      [
        ['create', 1, undefined, 'node-pools.small'],
        ['create', 2, UNKNOWN_VALUE, 'node-pools.big'],
      ],
    );
  } finally {
    h.cleanup();
  }
});

test('a deploy with no problems goes on; the next one asks only about what changes', async () => {
  const h = new Harness();
  try {
    const asked: string[][] = [];
    const other = memoryPackage('other');
    const first = setup(h, async (_c, items) => (asked.push(items.map((i) => `${i.op} ${i.urn.split('::').pop()}`)), []), other);
    assert.equal((await h.deploy(first.graph, { registry: first.registry })).result, 'succeeded');
    assert.deepEqual(other.made, ['x']);
    const second = setup(h, async (_c, items) => (asked.push(items.map((i) => `${i.op} ${i.urn.split('::').pop()}`)), []), memoryPackage('other'));
    second.graph.resource('test:index:Thing', 'c', { size: 3 });
    assert.equal((await h.deploy(second.graph, { registry: second.registry })).result, 'succeeded');
    assert.deepEqual(asked, [['create a', 'create b'], ['create c']]);
  } finally {
    h.cleanup();
  }
});

test('a provider configuration the package refuses is a pre-flight problem', async () => {
  const h = new Harness();
  try {
    const other = memoryPackage(
      'other',
      async () => [],
      () => {
        throw new Error('no region');
      },
    );
    const { registry, graph } = setup(h, async () => [], other);
    await assert.rejects(() => h.deploy(graph, { registry }), /- other: the provider configuration was rejected: no region/);
    assert.deepEqual(h.cloud.list(), []);
  } finally {
    h.cleanup();
  }
});

test('a check a provider could not make is a warning: the deploy goes on and says so; beside a problem it is listed too', async () => {
  const h = new Harness();
  try {
    const unchecked = { severity: 'warning' as const, message: "could not check the quota 'Boxes per Region': access denied", hint: 'Allow quota reads.' };
    const ok = setup(h, async () => [unchecked], memoryPackage('other'));
    assert.equal((await h.deploy(ok.graph, { registry: ok.registry })).result, 'succeeded');
    assert.equal(h.cloud.list().length, 2);
    const warnings = h.events.filter((e) => e.type === 'diagnostic' && e.severity === 'warning').map((e) => (e as { message: string }).message);
    assert.deepEqual(warnings, ["pre-flight could not check: test (providers.test at cluster.lisp:14:1): could not check the quota 'Boxes per Region': access denied\n    Allow quota reads."]);

    const h2 = new Harness();
    try {
      const bad = setup(h2, async (_c, items) => [unchecked, { message: 'size 2 is not offered', urn: items[1]!.urn }], memoryPackage('other'));
      await assert.rejects(
        () => h2.deploy(bad.graph, { registry: bad.registry }),
        (err: unknown) => {
          assert.ok(err instanceof EngineError);
          assert.match(err.message, /^pre-flight found 1 problem; nothing was created:\n {2}- test b \(node-pools\.big at cluster\.lisp:14:1\): size 2 is not offered\nand could not check:\n {2}- test \(providers\.test at cluster\.lisp:14:1\): could not check the quota 'Boxes per Region': access denied\n {6}Allow quota reads\.$/);
          return true;
        },
      );
      assert.deepEqual(h2.cloud.list(), []);
    } finally {
      h2.cleanup();
    }
  } finally {
    h.cleanup();
  }
});
