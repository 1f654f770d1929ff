/**
 * Elementwise passes over whole buffers: optimizer updates as torch.optim.Adam / SGD (PyTorch 1.13), with torch's float32 rounding
 * after every elementwise op (Math.fround), so both backends follow the same arithmetic.
 */
import type { AdamHyper, SgdHyper } from '../backend.js';

const f = Math.fround;

export function adamStep(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, h: AdamHyper,
): void {
  const b1 = f(h.beta1);
  const omb1 = f(1 - h.beta1);
  const b2 = f(h.beta2);
  const omb2 = f(1 - h.beta2);
  const eps = f(h.eps);
  const wd = f(h.weightDecay);
  const bc2Sqrt = f(Math.sqrt(1 - h.beta2 ** h.step));
  const negStep = f(-(h.lr / (1 - h.beta1 ** h.step)));
  for (let i = 0; i < p.length; i++) {
    const gi = wd !== 0 ? f(g[i] + f(wd * p[i])) : g[i];
    const mi = f(f(m[i] * b1) + f(omb1 * gi));
    const vi = f(f(v[i] * b2) + f(f(omb2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    let d = vi;
    if (vmax) {
      d = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = d;
    }
    const denom = f(f(f(Math.sqrt(d)) / bc2Sqrt) + eps);
    p[i] = f(p[i] + f(f(negStep * mi) / denom));
  }
}

export function sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array | null, h: SgdHyper): void {
  const lr = f(h.lr);
  const mom = f(h.momentum);
  const wd = f(h.weightDecay);
  for (let i = 0; i < p.length; i++) {
    let d = f(g[i] + f(wd * p[i]));
    if (buf) {
      const b = h.firstStep ? d : f(f(mom * buf[i]) + d);
      buf[i] = b;
      d = h.nesterov ? f(d + f(mom * b)) : b;
    }
    p[i] = f(p[i] - f(lr * d));
  }
}

/** y[i] = x[i] * mask[i % mask.length] */
export function mulRepeated(x: Float32Array, mask: Float32Array, y: Float32Array): void {
  const per = mask.length;
  if (x.length === 0) return;
  if (per === 0 || x.length % per !== 0) throw new RangeError('mulRepeated: the mask length must divide x\'s');
  for (let off = 0; off < x.length; off += per) {
    const xs = x.subarray(off, off + per);
    const ys = y.subarray(off, off + per);
    for (let i = 0; i < per; i++) ys[i] = xs[i] * mask[i];
  }
}
