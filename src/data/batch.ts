/** The one batch type: what the loader yields, a training step trains on, an attack perturbs and scoring scores. */

/** images in [0,1] with their labels */
export interface Batch {
  /** pixels in [0,1], NCHW, `shape` = [B, C, H, W] */
  x01: Float32Array;
  shape: readonly number[];
  labels: ArrayLike<number>;
  /** per sample, the class a targeted attack pulls toward */
  targets?: ArrayLike<number>;
}
