/**
 * The attack registry: every attack by name. Results, JSON, tables and the CLI are keyed by
 * these names; adding an attack is one file (its class and `defineAttack` entry), one line
 * here and its test.
 */
import type { Rng } from '../snn/dropout.js';
import type { Attack } from './base.js';
import { AttackOptionError, type AttackOptions } from './options.js';
import type { AttackSpec } from './spec.js';
import { fgsm } from './fgsm.js';
import { pgd } from './pgd.js';
import { apgdCe, apgdDlr } from './apgd.js';
import { apgdT } from './apgd-t.js';
import { square } from './square.js';
import { ensemble } from './ensemble.js';
import { transferAnn } from './transfer-ann.js';

export const ATTACKS = [fgsm, pgd, apgdCe, apgdDlr, apgdT, square, ensemble, transferAnn] as const;

export type AttackName = (typeof ATTACKS)[number]['name'];
export const ATTACK_NAMES: readonly AttackName[] = ATTACKS.map((a) => a.name);

export function isAttackName(name: string): name is AttackName {
  return (ATTACK_NAMES as readonly string[]).includes(name);
}

/** the entry of `name`; an unknown name is one clear error listing the registry */
export function attackSpec(name: string): AttackSpec<AttackName> {
  const spec = ATTACKS.find((a) => a.name === name);
  if (!spec) throw new AttackOptionError(`unknown attack '${name}': the attacks are ${ATTACK_NAMES.join(', ')}`);
  return spec;
}

export function createAttack(name: string, options: AttackOptions, rng: Rng): Attack {
  return attackSpec(name).create(options, rng);
}

/** what an attack is run against, for checking before any work */
export interface AttackTarget {
  classes: number;
  /** the forward is stochastic (e.g. Poisson input encoding) */
  stochastic: boolean;
}

/** throws the one-line reason an attack cannot run on this target */
export function checkApplicable(name: string, target: AttackTarget): void {
  const spec = attackSpec(name);
  if (target.classes < spec.needs.minClasses) {
    throw new AttackOptionError(`attack '${name}' needs at least ${spec.needs.minClasses} classes, the model has ${target.classes}`);
  }
  if (spec.needs.stochasticOnly && !target.stochastic) {
    throw new AttackOptionError(`attack '${name}' is for stochastic models (e.g. Poisson input encoding); this model's forward is deterministic`);
  }
}

/** e.g. `pgd (eps 0.031, steps 7, stepSize 0.01, randomStart true)`: the protocol of one attack */
export function describeAttack(name: string, options: AttackOptions): string {
  const resolved = attackSpec(name).resolve(options);
  const parts = Object.entries(resolved).map(([k, v]) => `${k === 'epsilon' ? 'eps' : k} ${Array.isArray(v) ? v.join(',') : v}`);
  return `${name} (${parts.join(', ')})`;
}
