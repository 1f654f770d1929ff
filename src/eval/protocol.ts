/**
 * From the eval options and the model to the plan that runs: which attacks in which order
 * (the strong suite expanded, attacks it names that the registry lacks listed, never skipped
 * silently), the options each attack gets at each ε, the encoding, draws and EOT; every
 * combination that cannot run is one clear error here, before any work. The same plan gives
 * the protocol that the JSON records and the table prints in full.
 */
import type { AttackOptions } from '../attacks/options.js';
import { ATTACK_NAMES, attackSpec, checkApplicable, createAttack, isAttackName } from '../attacks/registry.js';
import { Rng } from '../data/rng.js';
import { DEFAULT_ENSEMBLE, formatSurrogate } from '../attacks/surrogates.js';
import { TRAINING_SURROGATE } from '../snn/lif.js';
import { surrogateFromSpec } from './options.js';
import type { Normalization } from '../snn/model.js';
import type { EvalOptions } from './options.js';
import type { EvalProtocol } from './result-schema.js';
import { STRONG_SUITE } from './suite.js';

export class EvalInputError extends Error {}

export interface EvalPlan {
  suite: 'strong' | 'list';
  /** registry names, in the order they run ('clean' always runs first) */
  attacks: string[];
  notRun: { attack: string; reason: string }[];
  chain: boolean;
  epsilons: number[];
  timesteps: number[];
  encoding: 'direct' | 'poisson';
  /** forwards averaged per accuracy */
  draws: number;
  eot: number;
  surrogate: string;
  /** surrogate ensemble members (also the diagnostics' surrogate probes) */
  surrogates: string[];
  diagnostics: boolean;
  diagnosticSamples: number;
  seed: number;
  batch: number;
  /** what an attack is created from at ε */
  options(attack: string, epsilon: number): AttackOptions;
}

export interface PlanTarget {
  classes: number;
  /** recorded in the checkpoint (ours), if any */
  timesteps?: number;
  encoding?: 'direct' | 'poisson';
}

/** the model's own training surrogate (the seed's piecewise-linear, width 1), by name */
export const OWN_SURROGATE = formatSurrogate(TRAINING_SURROGATE);

export function planEvaluation(o: EvalOptions, target: PlanTarget): EvalPlan {
  const strong = o.attacks.length === 1 && o.attacks[0] === 'strong';
  const wanted = strong ? [...STRONG_SUITE] : o.attacks.filter((a) => a !== 'clean');
  const notRun = wanted.filter((a) => !isAttackName(a)).map((attack) => ({ attack, reason: `not in the attack registry of this version (it has ${ATTACK_NAMES.join(', ')})` }));
  const encoding = o.encoding ?? target.encoding ?? 'direct';
  const stochastic = encoding === 'poisson';
  const attacks: string[] = [];
  for (const a of wanted.filter((w) => isAttackName(w))) {
    try {
      checkApplicable(a, { classes: target.classes, stochastic });
      attacks.push(a);
    } catch (err) {
      // a list names what the user asked for; the suite adapts to the model, saying so
      if (!strong) throw new EvalInputError(`--attacks: ${(err as Error).message}`);
      notRun.push({ attack: a, reason: (err as Error).message });
    }
  }
  if (!stochastic && o.eot > 1) throw new EvalInputError(`--eot ${o.eot} averages gradients of a stochastic model, but this model's forward is deterministic (encoding direct); use --encoding poisson for a rate-coded model, or leave --eot at 1`);
  if (!stochastic && o.evalSamples > 1) throw new EvalInputError(`--eval-samples ${o.evalSamples} averages draws of a stochastic model, but this model's forward is deterministic (encoding direct); use --encoding poisson or leave it at 1`);
  const options = (attack: string, epsilon: number): AttackOptions => {
    const pgd = attack === 'pgd';
    return {
      epsilon,
      steps: pgd ? o.pgdSteps ?? o.steps : o.steps,
      stepSize: pgd ? o.pgdStepSize ?? o.stepSize : o.stepSize,
      restarts: o.restarts,
      queries: o.queries,
      annActivation: o.annActivation,
      ...(o.surrogates ? { surrogates: o.surrogates.map(surrogateFromSpec) } : {}),
      ...(pgd ? { randomStart: o.pgdRandomStart } : {}),
    };
  };
  // every option value is checked by creating each attack once (constructors validate)
  for (const a of attacks) {
    for (const eps of o.eps) {
      try {
        createAttack(a, options(a, eps), new Rng(0));
      } catch (err) {
        throw new EvalInputError(`--attacks ${a}: ${(err as Error).message}`);
      }
    }
  }
  return {
    suite: strong ? 'strong' : 'list',
    attacks, notRun,
    chain: o.chain ?? strong,
    epsilons: o.eps,
    timesteps: o.timesteps ?? [target.timesteps ?? 8],
    encoding,
    draws: o.evalSamples,
    eot: o.eot,
    surrogate: o.surrogate ?? OWN_SURROGATE,
    surrogates: o.surrogates ?? DEFAULT_ENSEMBLE.map(formatSurrogate),
    diagnostics: o.diagnostics ?? strong,
    diagnosticSamples: o.diagnosticSamples,
    seed: o.seed,
    batch: o.batch,
    options,
  };
}

/** the protocol as the JSON records it, for the first (ε, T) with the sweep's lists */
export function protocolOf(plan: EvalPlan, normalization: Normalization): EvalProtocol {
  const eps = plan.epsilons[0];
  const pgd = attackSpec('pgd').resolve(plan.options('pgd', eps));
  const perAttack = Object.fromEntries(plan.attacks.map((a) => [a, attackSpec(a).resolve(plan.options(a, eps))]));
  return {
    timesteps: plan.timesteps[0],
    epsilon: eps,
    attacks: ['clean', ...plan.attacks],
    suite: plan.suite,
    chain: plan.chain,
    notRun: plan.notRun,
    perAttack,
    pgdSteps: Number(pgd.steps),
    pgdStepSize: Number(pgd.stepSize),
    pgdRandomStart: Boolean(pgd.randomStart),
    seed: plan.seed,
    encoding: plan.encoding,
    eot: plan.eot,
    evalSamples: plan.draws,
    surrogate: plan.surrogate,
    surrogates: plan.surrogates,
    ...(plan.diagnostics ? { diagnosticSamples: plan.diagnosticSamples } : {}),
    sweep: { epsilons: plan.epsilons, timesteps: plan.timesteps },
    lossFunction: 'mean cross-entropy of the output summed over T',
    normalization: { mean: [...normalization.mean], std: [...normalization.std] },
    mode: 'eval (no dropout)',
    gradient: `BPTT over all T steps through the ${plan.surrogate === OWN_SURROGATE ? 'model\'s piecewise-linear surrogate (pwl:1)' : `attack-time surrogate ${plan.surrogate}`}, in [0,1] pixel space through the normalisation`,
  };
}

/** the protocol in full, a few lines, printed above every table */
export function describeProtocol(p: EvalProtocol, n: number, what: string): string[] {
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  const epsList = p.sweep?.epsilons ?? [p.epsilon];
  const tList = p.sweep?.timesteps ?? [p.timesteps];
  const lines = [
    `protocol: ${what}, n=${n}, eps ${epsList.map(fmt).join(', ')} (L-inf, [0,1] pixels), T ${tList.join(', ')}, encoding ${p.encoding}` +
      `${p.encoding === 'poisson' ? `, ${p.evalSamples} draw(s) per accuracy, EOT ${p.eot}` : ''}, seed ${p.seed}`,
    `  attacks (${p.suite === 'strong' ? 'strong suite' : 'list'}${p.chain ? ', chained: each on the samples still correct' : ', each on every sample'}): ${p.attacks.join(' -> ')}`,
  ];
  for (const [a, o] of Object.entries(p.perAttack)) {
    const opts = Object.entries(o).filter(([k]) => k !== 'epsilon').map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : v}`);
    lines.push(`  ${a}: ${opts.join(', ') || 'one step'}`);
  }
  for (const m of p.notRun) lines.push(`  NOT RUN ${m.attack}: ${m.reason}`);
  lines.push(`  gradient: ${p.gradient}; loss: ${p.lossFunction}`);
  return lines;
}
