/**
 * The explorer's images: a few test images of a dataset as one safetensors file, U8 `images`
 * [N, C, H, W] and U8 `labels` [N], with the dataset's name and class names in its metadata.
 * The web app ships the first 100 CIFAR-10 test images this way (scripts/build-web.ts), and
 * `hire-snn explore --data` serves another dataset's. Bytes in and out: runs in a browser.
 */
import { z } from 'zod';
import { encodeSafetensors, readSafetensors } from '../io/safetensors.js';
import { isDatasetName, type Dataset } from '../data/dataset.js';
import { bytesTo01 } from '../data/augment.js';
import { parseOrThrow } from '../validate.js';

/** the safetensors metadata key */
export const IMAGE_SET_KEY = 'hire-snn-images';

/** images the app's grid offers */
export const IMAGE_SET_SIZE = 100;

export class ImageSetError extends Error {
  override name = 'ImageSetError';
}

const MetaSchema = z.object({
  dataset: z.string().refine(isDatasetName, 'unknown dataset'),
  split: z.enum(['train', 'test']),
  classes: z.array(z.string()).min(1),
});

export function encodeImageSet(d: Dataset): Uint8Array[] {
  const meta = { dataset: d.name, split: d.split, classes: d.classes };
  return encodeSafetensors(
    [
      ['images', { dtype: 'U8', shape: [d.count, d.channels, d.height, d.width], data: d.images }],
      ['labels', { dtype: 'U8', shape: [d.count], data: d.labels }],
    ],
    { [IMAGE_SET_KEY]: JSON.stringify(meta) },
  );
}

export function readImageSet(bytes: Uint8Array): Dataset {
  const fail = (why: string) => new ImageSetError(`image set: ${why}`);
  const { tensors, metadata } = readSafetensors(bytes);
  const raw = metadata[IMAGE_SET_KEY];
  if (raw === undefined) throw fail(`no "${IMAGE_SET_KEY}" metadata`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw fail('its metadata is not JSON');
  }
  const meta = parseOrThrow(MetaSchema, json, fail);
  const images = tensors.get('images');
  const labels = tensors.get('labels');
  if (!images || images.dtype !== 'U8' || images.shape.length !== 4) throw fail('needs U8 images [N, C, H, W]');
  const [count, channels, height, width] = images.shape;
  if (!labels || labels.dtype !== 'U8' || labels.shape.length !== 1 || labels.shape[0] !== count) throw fail(`needs U8 labels [${count}]`);
  const classes = meta.classes;
  if ((labels.data as Uint8Array).some((l) => l >= classes.length)) throw fail(`a label is outside the ${classes.length} classes`);
  return {
    name: meta.dataset as Dataset['name'], split: meta.split, images: images.data as Uint8Array, labels: labels.data as Uint8Array,
    count, channels, height, width, classes, numClasses: classes.length,
  };
}

/** image k as [0,1] pixels, [C, H, W] */
export function imagePixels(d: Dataset, k: number): Float32Array {
  if (!(Number.isInteger(k) && k >= 0 && k < d.count)) throw new ImageSetError(`image ${k} is not one of the ${d.count} images (0..${d.count - 1})`);
  const size = d.channels * d.height * d.width;
  const x01 = new Float32Array(size);
  bytesTo01(d.images, k * size, size, x01, 0);
  return x01;
}
