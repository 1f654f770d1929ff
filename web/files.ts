/** What the user hands the page: a model file (bytes for the worker) or an image (resized to the model's input). */

export const MODEL_EXTENSIONS = ['.safetensors', '.pt', '.pth', '.bin'];

export function isImageFile(f: File): boolean {
  return /^image\/(png|jpeg)$/.test(f.type) || /\.(png|jpe?g)$/i.test(f.name);
}

/**
 * The image as bytes [C, H, W] at the model's size (a plain resize of the whole picture, as a
 * dataset image would be; C = 1 takes the mean of R, G, B)
 */
export async function imagePixels(f: File, channels: number, height: number, width: number): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(f);
  } catch {
    throw new Error(`${f.name}: not a PNG or JPEG image this browser can decode`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const plane = width * height;
  const out = new Uint8Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    if (channels === 1) out[i] = Math.round((rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2]) / 3);
    else for (let c = 0; c < 3; c++) out[c * plane + i] = rgba[4 * i + c];
  }
  return out;
}
