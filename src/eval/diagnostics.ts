/**
 * Gradient-masking diagnostics: the checks of Athalye et al. (ICML 2018) and Carlini et al.'s
 * "On Evaluating Adversarial Robustness" (2019), made automatic for SNNs. Each probe attacks the
 * same subset of clean-correct samples (the first `diagnosticSamples`) on its own, so the numbers
 * compare like with like; the black-box check reads the suite's own results. A flag is raised
 * when one number is clearly (at least 2 points and more than one sample) on the wrong side of
 * another.
 */
import { attackSpec } from '../attacks/registry.js';
import { inputGradient, margins } from '../attacks/base.js';
import { Rng, mixSeed } from '../data/rng.js';
import { gather, chunks } from './eval-set.js';
import { attackSamples, settingsOf, type AttackRunInput, type SampleScores } from './suite.js';
import { meanPercent } from './worst-case.js';
import { surrogateFromSpec } from './options.js';
import type { EvalPlan } from './protocol.js';
import type { Diagnostic, Results } from './result-schema.js';

export const DIAGNOSTIC_IDS = ['bb-stronger-than-wb', 'fgsm-stronger-than-pgd', 'more-steps-no-gain', 'large-eps-not-zero', 'zero-gradients', 'surrogate-sensitive'] as const;

/** attacks that never differentiate the evaluated SNN: transfers and score-based searches */
const NOT_WHITE_BOX = new Set(['transfer-ann', 'square']);
/** ε of the large-budget probe: enough to turn any image into any other grey-ish image */
const LARGE_EPS = 0.5;
/** share of all-zero input gradients above which gradient attacks are blind */
const ZERO_GRADIENT_SHARE = 0.05;
/** accuracy (%) at ε = 0.5 above which the attack is failing, not the model resisting */
const LARGE_EPS_LEFT = 5;
/** fewest PGD steps of the large-budget probe: a few steps of 2.5·0.5/k overshoot and bounce */
const LARGE_EPS_MIN_STEPS = 20;

const ADVICE: Record<(typeof DIAGNOSTIC_IDS)[number], string> = {
  'bb-stronger-than-wb': 'means: an attack without the SNN\'s gradient beat the white-box gradient attacks, so those gradients are masked; trust the worst case, and try --surrogates, more --steps/--restarts',
  'fgsm-stronger-than-pgd': 'means: one large step beat many small ones, so small steps do not follow the loss (masked or shattered gradients); try a larger --step-size, --restarts, other --surrogates',
  'more-steps-no-gain': 'means: 10x the PGD steps found nothing more, so the gradient stops giving a useful direction; try --surrogates (e.g. rate, ste), --restarts, square',
  'large-eps-not-zero': 'means: at eps 0.5 any image can be reached, so samples left correct show the attack is blind, not the model robust; try other --surrogates or square',
  'zero-gradients': 'means: gradient attacks cannot move these samples at all; attack through a wider surrogate (--surrogate pwl:2, exp, ste, rate) or use square',
  'surrogate-sensitive': 'means: the robustness measured through one surrogate overstates it; report the ensemble / worst case, or attack with --surrogate set to the stronger member',
};

type ProbeOptions = { epsilon?: number; steps?: number; stepSize?: number; restarts?: number; randomStart?: boolean };

/**
 * PGD as the probes run it: from the clean image (no random start, so two probes differ only in
 * what they vary) with step 2.5 eps / steps (Madry et al.), so 10x the steps covers the same
 * distance in finer steps
 */
function pgdProbe(epsilon: number, steps: number): ProbeOptions {
  return { epsilon, steps, stepSize: (2.5 * epsilon) / steps, restarts: 1, randomStart: false };
}

export interface DiagnosticsInput {
  run: AttackRunInput;
  plan: EvalPlan;
  clean: SampleScores;
  results: Results;
  /** probes that do not depend on ε, shared by the entries of one T */
  cache: Map<string, Diagnostic>;
}

const fmt = (v: number) => `${v.toFixed(1)}%`;

function flag(id: (typeof DIAGNOSTIC_IDS)[number], triggered: boolean, evidence: string, values: Record<string, number | null>): Diagnostic {
  return { id, triggered, evidence, values, ...(triggered ? { advice: ADVICE[id] } : {}) };
}

export function runDiagnostics(d: DiagnosticsInput): Diagnostic[] {
  const { run, plan } = d;
  const subset = probeSubset(d.clean, plan.diagnosticSamples);
  const m = subset.length;
  if (m === 0) return DIAGNOSTIC_IDS.map((id) => flag(id, false, 'not checked: no sample is correct clean', {}));
  /** "a is clearly below b": by at least 2 points and by more than one sample */
  const below = (a: number, b: number) => b - a >= 2 && b - a > 100 / m + 1e-9;
  const subsetLabels = Int32Array.from(subset, (i) => run.set.labels[i]);
  /** accuracy (%) on the subset and the mean margin z_y - max_{j!=y} z_j of its outputs */
  const probeRun = (attack: string, over: ProbeOptions = {}, surrogate?: string): { accuracy: number; margin: number } => {
    const epsilon = over.epsilon ?? run.epsilon;
    const input: AttackRunInput = {
      ...run, epsilon,
      options: (a) => ({ ...plan.options(a, epsilon), ...over }),
      context: { ...run.context, ...(surrogate ? { surrogate: surrogateFromSpec(surrogate) } : {}) },
      progress: run.progress && ((label, total) => run.progress!(`diagnostics ${label}${surrogate ? ` via ${surrogate}` : ''}`, total)),
    };
    const scores = attackSamples(input, attack, 'whiteBox', subset).scores;
    const gaps = margins(scores.logits, subsetLabels, run.model.spec.labels);
    return { accuracy: meanPercent(scores.top1), margin: gaps.reduce((a, g) => a + g, 0) / gaps.length };
  };
  const probe = (attack: string, over: ProbeOptions = {}, surrogate?: string): number => probeRun(attack, over, surrogate).accuracy;
  const pgdSteps = Number(attackSpec('pgd').resolve(plan.options('pgd', run.epsilon)).steps);
  const on = `of ${m} clean-correct samples, eps ${Number(run.epsilon.toPrecision(4))}, through ${plan.surrogate}`;
  const out: Diagnostic[] = [blackBoxCheck(d, below)];
  let pgd: number | undefined;
  if (run.epsilon === 0) {
    out.push(flag('fgsm-stronger-than-pgd', false, 'not checked at eps 0', {}), flag('more-steps-no-gain', false, 'not checked at eps 0', {}));
  } else {
    const fgsm = probe('fgsm');
    const short = probeRun('pgd', pgdProbe(run.epsilon, pgdSteps));
    pgd = short.accuracy;
    out.push(flag('fgsm-stronger-than-pgd', below(fgsm, pgd), `FGSM leaves ${fmt(fgsm)}, PGD-${pgdSteps} ${fmt(pgd)} ${on}`, { fgsm, pgd, samples: m }));
    if (pgd < 2) {
      out.push(flag('more-steps-no-gain', false, `PGD-${pgdSteps} already leaves ${fmt(pgd)} ${on}: nothing left to gain`, { pgd, samples: m }));
    } else {
      // accuracy moves in whole samples; the mean margin shows whether the longer run got anywhere
      const longer = probeRun('pgd', pgdProbe(run.epsilon, 10 * pgdSteps));
      const noGain = longer.accuracy >= pgd && longer.margin >= short.margin;
      out.push(flag('more-steps-no-gain', noGain, `PGD-${pgdSteps} leaves ${fmt(pgd)} (mean margin ${short.margin.toPrecision(3)}), PGD-${10 * pgdSteps} ${fmt(longer.accuracy)} (${longer.margin.toPrecision(3)}) ${on}`,
        { pgd, pgdLonger: longer.accuracy, margin: short.margin, marginLonger: longer.margin, samples: m }));
    }
  }
  const largeSteps = Math.max(pgdSteps, LARGE_EPS_MIN_STEPS);
  out.push(cached(d, 'large-eps', () => {
    const left = probe('pgd', pgdProbe(LARGE_EPS, largeSteps));
    return flag('large-eps-not-zero', left > LARGE_EPS_LEFT && left > 100 / m + 1e-9, `PGD-${largeSteps} at eps ${LARGE_EPS} (step ${Number(((2.5 * LARGE_EPS) / largeSteps).toPrecision(3))}) leaves ${fmt(left)} of ${m} clean-correct samples`, { accuracy: left, samples: m });
  }));
  out.push(cached(d, 'zero-gradients', () => {
    const share = zeroGradientShare(d, subset);
    return flag('zero-gradients', share > ZERO_GRADIENT_SHARE, `${fmt(100 * share)} of ${m} clean-correct samples have an all-zero input gradient through ${plan.surrogate}`, { share, samples: m });
  }));
  out.push(surrogateCheck(d, probe, pgd, below, m, pgdSteps));
  return out;
}

function cached(d: DiagnosticsInput, key: string, compute: () => Diagnostic): Diagnostic {
  const k = `${d.run.timesteps}|${key}`;
  if (!d.cache.has(k)) d.cache.set(k, compute());
  return d.cache.get(k)!;
}

/** the first `max` samples the clean pass got right (by majority of draws) */
function probeSubset(clean: SampleScores, max: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < clean.top1.length && out.length < max; i++) if (clean.top1[i] >= 0.5) out.push(i);
  return Int32Array.from(out);
}

function zeroGradientShare(d: DiagnosticsInput, subset: Int32Array): number {
  const { run, plan } = d;
  let zero = 0;
  let chunk = 0;
  for (const part of chunks(subset, run.batch)) {
    const batch = gather(run.set, part);
    const rng = plan.encoding === 'poisson' ? new Rng(mixSeed(plan.seed, chunk, 0x5a4552)) : undefined;
    const { grad } = inputGradient({ ...run.context, model: run.model, timesteps: run.timesteps, encoding: plan.encoding, rng }, batch.x01, batch);
    const per = grad.length / part.length;
    for (let k = 0; k < part.length; k++) {
      let allZero = true;
      for (let j = k * per; j < (k + 1) * per && allZero; j++) if (grad[j] !== 0) allZero = false;
      if (allZero) zero++;
    }
    chunk++;
  }
  return subset.length ? zero / subset.length : 0;
}

/** transfer and score-based attacks against the white-box gradient attacks, from the suite itself */
function blackBoxCheck(d: DiagnosticsInput, below: (a: number, b: number) => boolean): Diagnostic {
  const { plan, results } = d;
  const wb: [string, number][] = [];
  const bb: [string, number][] = [];
  for (const a of plan.attacks) {
    for (const box of settingsOf(a, d.run.bbModel !== undefined)) {
      const s = results[a]?.[box];
      if (!s) continue;
      (box === 'blackBox' || NOT_WHITE_BOX.has(a) ? bb : wb).push([box === 'blackBox' ? `${a} black-box` : a, s.top1]);
    }
  }
  if (!bb.length || !wb.length) {
    return flag('bb-stronger-than-wb', false, `not checked: needs a white-box gradient attack and a transfer or score-based one (${bb.length ? 'no white-box' : 'add square, transfer-ann or --bb-model'})`, {});
  }
  if (plan.chain) {
    // chained: what the later black-box settings still broke, the white-box ones had left correct
    let broken = 0;
    const n = d.clean.top1.length;
    for (const a of plan.attacks) for (const box of settingsOf(a, d.run.bbModel !== undefined)) if (box === 'blackBox' || NOT_WHITE_BOX.has(a)) broken += results[a]?.[box]?.broken ?? 0;
    const share = (100 * broken) / Math.max(1, n);
    const triggered = share >= 2 && broken > 1;
    return flag('bb-stronger-than-wb', triggered, `${bb.map(([k]) => k).join(', ')} broke ${broken} samples (${fmt(share)} of ${n}) that every white-box gradient attack before them left correct`, { broken, share, samples: n });
  }
  const [bbName, bbAcc] = bb.reduce((x, y) => (y[1] < x[1] ? y : x));
  const [wbName, wbAcc] = wb.reduce((x, y) => (y[1] < x[1] ? y : x));
  return flag('bb-stronger-than-wb', below(bbAcc, wbAcc), `strongest black-box/transfer ${bbName} leaves ${fmt(bbAcc)}, strongest white-box ${wbName} ${fmt(wbAcc)} of ${d.clean.top1.length} samples`, { blackBox: bbAcc, whiteBox: wbAcc });
}

function surrogateCheck(
  d: DiagnosticsInput,
  probe: (attack: string, over?: ProbeOptions, surrogate?: string) => number,
  own: number | undefined,
  below: (a: number, b: number) => boolean,
  m: number,
  pgdSteps: number,
): Diagnostic {
  if (d.run.epsilon === 0 || own === undefined) return flag('surrogate-sensitive', false, 'not checked at eps 0', {});
  if (own < 2) return flag('surrogate-sensitive', false, `PGD-${pgdSteps} through ${d.plan.surrogate} already leaves ${fmt(own)} of ${m} clean-correct samples: no surrogate can do clearly better`, { [d.plan.surrogate]: own, samples: m });
  const members = d.plan.surrogates.filter((s) => s !== d.plan.surrogate);
  if (!members.length) return flag('surrogate-sensitive', false, `not checked: no surrogate besides ${d.plan.surrogate} to attack through`, { [d.plan.surrogate]: own, samples: m });
  const values: Record<string, number> = { [d.plan.surrogate]: own };
  for (const s of members) values[s] = probe('pgd', pgdProbe(d.run.epsilon, pgdSteps), s);
  const [best, bestAcc] = Object.entries(values).reduce((x, y) => (y[1] < x[1] ? y : x));
  return flag('surrogate-sensitive', below(bestAcc, own), `PGD-${pgdSteps} through ${best} leaves ${fmt(bestAcc)}, through ${d.plan.surrogate} ${fmt(own)} of ${m} clean-correct samples (${Object.entries(values).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')})`, { ...values, samples: m });
}
