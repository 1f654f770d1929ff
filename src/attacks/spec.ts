/**
 * What a registry entry is: an attack's name, what it is, where it comes from, what it needs
 * of the model, and a factory from the shared options (with the defaults it fills in) and a
 * seeded generator. Each attack file defines its entry next to its class; registry.ts lists them.
 */
import type { Rng } from '../snn/dropout.js';
import type { Attack } from './base.js';
import type { AttackOptions, OptionsOf } from './options.js';
import type { Surrogate } from '../kernels/backend.js';
import { formatSurrogate } from './surrogates.js';

export interface AttackNeeds {
  /** backward passes through the model (false: score-based, forward passes only) */
  gradients: boolean;
  /** fewest classes its loss is defined for */
  minClasses: number;
  /** meaningful only for stochastic forwards (e.g. Poisson-encoded models) */
  stochasticOnly: boolean;
}

/** what most attacks need, and an entry that states no `needs` gets: gradients and a loss over two or more classes */
const GRADIENT_ATTACK: AttackNeeds = { gradients: true, minClasses: 2, stochasticOnly: false };

/** the options an attack reads besides epsilon, each with its default */
export type AttackDefaults = Partial<Omit<AttackOptions, 'epsilon'>>;

/** options after the defaults: epsilon plus every field the attack reads, all set */
export type ResolvedOptions<D extends AttackDefaults> = OptionsOf<keyof D & keyof AttackOptions>;

export interface AttackSpec<N extends string = string> {
  readonly name: N;
  /** one line for --help and the docs */
  readonly description: string;
  /** the paper it implements */
  readonly paper: string;
  readonly needs: AttackNeeds;
  readonly defaults: AttackDefaults;
  /** epsilon and the options it reads, defaults filled in, as plain data (surrogates by name): what a protocol prints */
  resolve(options: AttackOptions): Record<string, number | boolean | string | string[]>;
  /** `rng` drives the attack's own random choices (starts, square positions); seed it per batch */
  create(options: AttackOptions, rng: Rng): Attack;
}

interface AttackDefinition<N extends string, D extends AttackDefaults> {
  name: N;
  description: string;
  paper: string;
  /** what differs from GRADIENT_ATTACK */
  needs?: Partial<AttackNeeds>;
  defaults: D;
  create(options: ResolvedOptions<D>, rng: Rng): Attack;
}

export function defineAttack<N extends string, D extends AttackDefaults>(def: AttackDefinition<N, D>): AttackSpec<N> {
  const resolve = (options: AttackOptions): ResolvedOptions<D> => {
    const out: Record<string, unknown> = { epsilon: options.epsilon };
    for (const key of Object.keys(def.defaults) as (keyof D & keyof AttackOptions)[]) {
      // an option left undefined (absent from the command line) takes the attack's default
      out[key] = options[key] ?? def.defaults[key];
    }
    return out as ResolvedOptions<D>;
  };
  return {
    name: def.name,
    description: def.description,
    paper: def.paper,
    needs: { ...GRADIENT_ATTACK, ...def.needs },
    defaults: def.defaults,
    resolve: (options) => {
      const out = resolve(options) as Record<string, number | boolean | string | readonly Surrogate[]>;
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.isArray(v) ? v.map(formatSurrogate) : v])) as Record<string, number | boolean | string | string[]>;
    },
    create: (options, rng) => def.create(resolve(options), rng),
  };
}
