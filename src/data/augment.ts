/**
 * Training augmentation as in the seed (torchvision RandomCrop(32, padding=4) then
 * RandomHorizontalFlip()): a crop of the zero-padded image at a random offset, then a mirror
 * with probability 1/2. Works on bytes (scaled to [0,1] on the way) or on [0,1] floats.
 */
import type { Rng } from './rng.js';

export interface CropFlip {
  /** source offset of the crop, in -pad..pad (0, 0 = centre crop = the image itself) */
  dy: number;
  dx: number;
  flip: boolean;
}

export interface AugmentOptions {
  /** zero padding on each side before cropping back to the original size (default 4) */
  pad?: number;
  /** random horizontal flip (default true) */
  flip?: boolean;
}

/** draws crop offsets and a flip like torchvision: top and left uniform in 0..2*pad, then flip with p = 1/2 */
export function drawCropFlip(rng: Rng, opts: AugmentOptions = {}): CropFlip {
  const pad = opts.pad ?? 4;
  const dy = rng.int(2 * pad + 1) - pad;
  const dx = rng.int(2 * pad + 1) - pad;
  const flip = (opts.flip ?? true) ? rng.uniform() < 0.5 : false;
  return { dy, dx, flip };
}

export interface ImageGeometry {
  channels: number;
  height: number;
  width: number;
}

/**
 * Writes one augmented image: out(c, y, x) = src(c, y + dy, x' + dx) * scale, zero outside the
 * image, where x' = W-1-x when flipped and x otherwise. `src` holds bytes (use scale 1/255) or
 * floats (scale 1); images start at srcOffset / outOffset elements.
 */
export function cropFlipInto(
  src: Uint8Array | Float32Array,
  srcOffset: number,
  g: ImageGeometry,
  p: CropFlip,
  out: Float32Array,
  outOffset: number,
  scale: number,
): void {
  const { channels: C, height: H, width: W } = g;
  for (let c = 0; c < C; c++) {
    const plane = srcOffset + c * H * W;
    for (let y = 0; y < H; y++) {
      const o = outOffset + (c * H + y) * W;
      const sy = y + p.dy;
      if (sy < 0 || sy >= H) {
        out.fill(0, o, o + W);
        continue;
      }
      const row = plane + sy * W;
      // output columns whose source column is inside the image
      const x0 = Math.max(0, p.flip ? p.dx : -p.dx);
      const x1 = Math.min(W, p.flip ? W + p.dx : W - p.dx);
      out.fill(0, o, o + x0);
      out.fill(0, o + x1, o + W);
      if (p.flip) {
        const base = row + W - 1 + p.dx;
        for (let x = x0; x < x1; x++) out[o + x] = src[base - x] * scale;
      } else {
        const base = row + p.dx;
        for (let x = x0; x < x1; x++) out[o + x] = src[base + x] * scale;
      }
    }
  }
}

/** copies one image of bytes to [0,1] floats, unchanged otherwise */
export function bytesTo01(src: Uint8Array, srcOffset: number, n: number, out: Float32Array, outOffset: number): void {
  const s = 1 / 255;
  for (let i = 0; i < n; i++) out[outOffset + i] = src[srcOffset + i] * s;
}

/** augments one [0,1] float image (C*H*W) into a new array */
export function augment01(img: Float32Array, g: ImageGeometry, rng: Rng, opts: AugmentOptions = {}): Float32Array {
  const out = new Float32Array(g.channels * g.height * g.width);
  cropFlipInto(img, 0, g, drawCropFlip(rng, opts), out, 0, 1);
  return out;
}
