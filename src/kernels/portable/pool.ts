/** Average pooling with kernel = stride = k, no padding, floor division of h and w. */

/**
 * Calls `plane(xp, yp, oh, ow)` for each of the n*c planes, with the plane's offsets in the
 * input (h x w) and in the pooled output (oh x ow); returns the sum of what the calls return.
 */
function eachPlane(
  n: number, c: number, h: number, w: number, k: number,
  plane: (xp: number, yp: number, oh: number, ow: number) => number,
): number {
  const oh = Math.floor(h / k);
  const ow = Math.floor(w / k);
  let total = 0;
  for (let pl = 0; pl < n * c; pl++) total += plane(pl * h * w, pl * oh * ow, oh, ow);
  return total;
}

/** returns the number of nonzero outputs */
export function avgPoolForward(
  x: Float32Array, n: number, c: number, h: number, w: number, k: number, y: Float32Array,
): number {
  const inv = 1 / (k * k);
  return eachPlane(n, c, h, w, k, (xp, yp, oh, ow) => {
    let nonzero = 0;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        let row = xp + oy * k * w + ox * k;
        for (let ky = 0; ky < k; ky++, row += w) {
          for (let kx = 0; kx < k; kx++) sum += x[row + kx];
        }
        const v = sum * inv;
        y[yp + oy * ow + ox] = v;
        if (v !== 0) nonzero++;
      }
    }
    return nonzero;
  });
}

/** dx gets dy / k^2 in every pooled window and 0 in the rows/columns floor division drops */
export function avgPoolBackward(
  dy: Float32Array, n: number, c: number, h: number, w: number, k: number, dx: Float32Array,
): void {
  const inv = 1 / (k * k);
  eachPlane(n, c, h, w, k, (xp, yp, oh, ow) => {
    for (let iy = 0; iy < h; iy++) {
      const row = xp + iy * w;
      const oy = Math.floor(iy / k);
      if (oy >= oh) {
        dx.fill(0, row, row + w);
        continue;
      }
      const dyRow = yp + oy * ow;
      for (let ox = 0; ox < ow; ox++) {
        const g = dy[dyRow + ox] * inv;
        const base = row + ox * k;
        for (let kx = 0; kx < k; kx++) dx[base + kx] = g;
      }
      dx.fill(0, row + ow * k, row + w);
    }
    return 0;
  });
}
