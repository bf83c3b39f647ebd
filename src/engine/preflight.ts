// Pre-flight: before a deploy applies anything, every provider configuration that will
// create or change resources is configured and asked whether the cloud will accept them
// (credentials, regions, sizes, images, quotas). Every problem from every provider is
// collected; if there is any, the deploy stops with all of them listed and nothing created.
import type { PropertyMap } from '../state/types.ts';
import type { DesiredState } from './model.ts';
import type { Plan } from './plan.ts';
import type { PreflightItem, PreflightProblem, ProviderPackage } from './provider.ts';
import type { Run } from './run.ts';
import { EngineError, errorMessage } from './errors.ts';
import { packageOf, parseUrn } from './urn.ts';
import { resolveInputs, revealMap, scrub, secretStrings } from './values.ts';
import { withSecrets } from './decide.ts';

/** Seconds pre-flight may take in all before the deploy gives up on it. */
export const PREFLIGHT_TIMEOUT = 120;

export interface FoundProblem extends PreflightProblem {
  /** The provider package that reported it. */
  provider: string;
  /** Where the resource comes from in the config, as the CLI located it (or the config path). */
  where?: string;
}

/**
 * Runs every provider's pre-flight for the plan; throws an EngineError listing every problem
 * (and every check that could not be made). Returns the checks that could not be made when
 * nothing else is wrong: the deploy goes on and shows them as warnings.
 */
export async function runPreflight(run: Run, plan: Plan, desired: DesiredState): Promise<string[]> {
  const found = await collectProblems(run, plan, desired);
  const problems = found.filter((p) => p.severity !== 'warning');
  const unchecked = found.filter((p) => p.severity === 'warning');
  if (problems.length === 0) return unchecked.map((p) => formatProblem(p).join('\n'));
  throw new EngineError(formatProblems(problems, unchecked), { hint: 'Nothing was created or changed. Fix the problems above, then run deploy again.' });
}

function formatProblem(p: FoundProblem): string[] {
  const resource = p.urn ? ` ${parseUrn(p.urn).name}` : '';
  return [`${p.provider}${resource}${p.where ? ` (${p.where})` : ''}: ${p.message}`, ...(p.hint ? [`    ${p.hint}`] : [])];
}

export function formatProblems(problems: readonly FoundProblem[], unchecked: readonly FoundProblem[] = []): string {
  const lines = [`pre-flight found ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was created:`];
  const list = (items: readonly FoundProblem[]) => {
    for (const p of items) lines.push(...formatProblem(p).map((l, i) => (i === 0 ? `  - ${l}` : `  ${l}`)));
  };
  list(problems);
  if (unchecked.length > 0) {
    lines.push('and could not check:');
    list(unchecked);
  }
  return lines.join('\n');
}

export async function collectProblems(run: Run, plan: Plan, desired: DesiredState): Promise<FoundProblem[]> {
  const index = plan.index;
  if (!index) return [];
  const fresh = new Set(plan.steps.filter((s) => s.op === 'create' || s.op === 'replace').map((s) => s.urn));
  // Outputs of what is created or replaced are not known yet; the rest are as stored.
  const lookup = (urn: string): PropertyMap | undefined => (fresh.has(urn) ? undefined : run.view.live.get(urn)?.outputs);

  // Items are built only for providers whose package has a pre-flight (most have none).
  const checks = new Map<string, boolean>();
  const checked = (providerUrn: string): boolean => {
    let yes = checks.get(providerUrn);
    if (yes === undefined) checks.set(providerUrn, (yes = Boolean(run.registry.get(packageOf(parseUrn(providerUrn).type))?.preflight)));
    return yes;
  };
  const byProvider = new Map<string, PreflightItem[]>();
  const secretsOf = new Map<string, string[]>();
  for (const step of plan.steps) {
    if (step.op !== 'create' && step.op !== 'replace' && step.op !== 'update') continue;
    const spec = index.nodes.get(step.urn)?.spec;
    if (!spec?.custom || !spec.provider || !checked(spec.provider)) continue;
    const planned = withSecrets(spec, resolveInputs(spec.inputs, lookup));
    secretsOf.set(spec.urn, secretStrings(planned));
    const item: PreflightItem = { urn: spec.urn, type: spec.type, op: step.op, inputs: revealMap(planned) };
    if (spec.sourcePosition) item.sourcePosition = spec.sourcePosition;
    const items = byProvider.get(spec.provider);
    if (items) items.push(item);
    else byProvider.set(spec.provider, [item]);
  }

  const signal = AbortSignal.any([run.cancel.signal, AbortSignal.timeout(PREFLIGHT_TIMEOUT * 1000)]);
  const ctx = { env: run.env, signal };
  const where = (path: string | undefined) => (path ? (desired.locateSource?.(path) ?? path) : undefined);
  const results = await Promise.all(
    [...byProvider].map(async ([providerUrn, items]): Promise<FoundProblem[]> => {
      const pkgName = packageOf(parseUrn(providerUrn).type);
      const pkg: ProviderPackage | undefined = run.registry.get(pkgName);
      if (!pkg?.preflight) return [];
      const providerSpec = index.nodes.get(providerUrn)?.spec;
      const planned = providerSpec ? withSecrets(providerSpec, resolveInputs(providerSpec.inputs, lookup)) : {};
      const config = revealMap(planned);
      const secrets = [...secretStrings(planned), ...items.flatMap((i) => secretsOf.get(i.urn) ?? [])];
      const byUrn = new Map(items.map((i) => [i.urn, i]));
      const clean = (p: PreflightProblem): FoundProblem => {
        const item = p.urn ? byUrn.get(p.urn) : undefined;
        return {
          provider: pkgName,
          ...(p.severity === 'warning' ? { severity: 'warning' as const } : {}),
          message: scrub(p.message, secrets),
          ...(p.hint ? { hint: scrub(p.hint, secrets) } : {}),
          ...(p.urn ? { urn: p.urn } : {}),
          ...(where(item?.sourcePosition ?? providerSpec?.sourcePosition) ? { where: where(item?.sourcePosition ?? providerSpec?.sourcePosition) } : {}),
        };
      };
      let client: unknown;
      try {
        client = await pkg.configure(config, ctx);
      } catch (err) {
        return [clean({ message: `the provider configuration was rejected: ${errorMessage(err)}` })];
      }
      try {
        return (await pkg.preflight(client as never, items, ctx)).map(clean);
      } catch (err) {
        if (signal.aborted && !run.cancel.signal.aborted) return [clean({ message: `pre-flight checks did not finish within ${PREFLIGHT_TIMEOUT} s`, hint: 'Check the network and the provider endpoint.' })];
        if (run.cancel.signal.aborted) throw err;
        return [clean({ message: `pre-flight checks failed: ${errorMessage(err)}` })];
      }
    }),
  );
  return results.flat();
}
