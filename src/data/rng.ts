/**
 * A small seedable PRNG: xoshiro128** seeded through splitmix32. Same seed, same sequence, on
 * every platform (pure 32-bit integer arithmetic). Not cryptographic.
 */

/** one splitmix32 step: a well-mixed 32-bit value from a 32-bit input */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** folds a number (any finite integer or not) into 32 bits */
function fold(v: number): number {
  if (Number.isInteger(v) && Math.abs(v) <= 0xffffffff) return v >>> 0;
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return (u[0] ^ splitmix32(u[1])) >>> 0;
}

/**
 * Derives a 32-bit seed from several values (a base seed, an epoch, a stream id...).
 * Order matters: mixSeed(a, b) !== mixSeed(b, a) in general.
 */
export function mixSeed(...values: number[]): number {
  let h = 0x6a09e667;
  for (const v of values) h = splitmix32(h ^ splitmix32(fold(v)));
  return h;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed = 0) {
    let x = mixSeed(seed);
    const next = (): number => (x = splitmix32(x));
    this.s0 = next() | 0;
    this.s1 = next() | 0;
    this.s2 = next() | 0;
    this.s3 = next() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** a uniformly distributed unsigned 32-bit integer */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** uniform in [0, 1), 32-bit resolution */
  uniform(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }

  /** uniform in [lo, hi) */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** a uniform integer in 0..n-1 (unbiased; 1 <= n <= 2^32) */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 0x100000000)) throw new RangeError(`Rng.int: n must be an integer in 1..2^32, got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const u = this.nextUint32();
      if (u < limit) return u % n;
    }
  }

  /** true with probability p */
  bernoulli(p = 0.5): boolean {
    return this.uniform() < p;
  }

  /** standard normal (Box-Muller) */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher-Yates shuffle in place; returns its argument */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** 0..n-1 in random order */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** the generator state (4 words), e.g. for checkpoints */
  getState(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  setState(state: ArrayLike<number>): this {
    if (state.length !== 4) throw new RangeError('Rng.setState: expected 4 words');
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    this.spare = null;
    return this;
  }
}
