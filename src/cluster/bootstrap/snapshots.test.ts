// Snapshots of the rendered bootstrap for RKE2 and K3s, single master and HA. Each one is
// also checked by the real tools: every user-data against cloud-init's schema, every script
// with bash -n and shellcheck. The snapshot files were reviewed line by line against the
// RKE2 and K3s documentation; docs/bootstrap.md records what was checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCENARIOS } from '../testing/scenarios.ts';
import { matchSnapshot, planSnapshot } from '../testing/snapshot.ts';
import { validateUserData } from '../testing/cloud-init-schema.ts';
import { checkScript } from '../testing/shell-check.ts';
import { missing } from '../../../test/helpers/parts.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/cluster');

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`bootstrap snapshot: ${name}`, () => {
    const { text } = planSnapshot(scenario());
    const problem = matchSnapshot(join(fixtures, `${name}.txt`), text, process.env);
    assert.equal(problem, undefined, problem);
  });

  test(`every user-data of ${name} validates against cloud-init's schema`, () => {
    const { plan } = planSnapshot(scenario());
    for (const m of plan.machines) assert.deepEqual(validateUserData(m.userData), [], m.name);
  });

  test(`every script of ${name} passes bash -n and shellcheck`, { skip: missing('shellcheck') }, () => {
    const { plan } = planSnapshot(scenario());
    const scripts = new Map<string, string>();
    for (const s of plan.steps) scripts.set(s.script, s.name);
    const problems = [...scripts].flatMap(([script, step]) => checkScript(script, step));
    assert.deepEqual(problems, []);
  });
}
