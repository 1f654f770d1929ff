/**
 * The browser build (run by `npm run build` after tsc): esbuild bundles
 *   - the browser entry of the library, src/browser.ts -> dist/browser/hire-snn.js (`hire-snn/browser`);
 *   - the explorer app, web/ -> dist/web/ (index.html, app.js, worker.js, style.css, images.safetensors),
 * in both of which src/kernels/native.ts is replaced by src/kernels/native-browser.ts and a
 * `node:` import anywhere is a build error. The app's images are the first 100 CIFAR-10 test
 * images, read from the dataset when it is found, else the committed web/cifar10-test-100.safetensors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { loadDataset } from '../src/data/load.js';
import { DataError } from '../src/data/errors.js';
import { concatChunks } from '../src/io/atomic-write.js';
import { encodeImageSet, IMAGE_SET_SIZE } from '../src/explore/image-set.js';
import { WEB_FILES } from '../src/explore/web-files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const COMMITTED_IMAGES = path.join(root, 'web', 'cifar10-test-100.safetensors');
const NATIVE = path.join(root, 'src', 'kernels', 'native.ts');
const NATIVE_STUB = path.join(root, 'src', 'kernels', 'native-browser.ts');

/** the native loader swapped for the stub; Node modules refused with the file that asked for one */
const browserOnly: esbuild.Plugin = {
  name: 'hire-snn-browser',
  setup(build) {
    build.onResolve({ filter: /\/native\.js$/ }, (args) => (path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === NATIVE ? { path: NATIVE_STUB } : undefined));
    build.onResolve({ filter: /^node:/ }, (args) => ({
      errors: [{ text: `${args.path}, imported by ${path.relative(root, args.importer)}: the browser build takes no Node module` }],
    }));
  },
};

/** what every browser bundle shares */
export function browserOptions(entryPoints: Record<string, string>, extra: esbuild.BuildOptions = {}): esbuild.BuildOptions {
  return {
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, path.join(root, v)])),
    bundle: true, platform: 'browser', format: 'esm', target: 'es2022', sourcemap: true,
    logLevel: 'warning', plugins: [browserOnly], metafile: true, ...extra,
  };
}

async function appImages(): Promise<{ bytes: Uint8Array; from: string }> {
  try {
    const d = await loadDataset('cifar10', 'test', { limit: IMAGE_SET_SIZE });
    return { bytes: concatChunks(encodeImageSet(d)), from: 'the CIFAR-10 dataset' };
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    return { bytes: fs.readFileSync(COMMITTED_IMAGES), from: path.relative(root, COMMITTED_IMAGES) };
  }
}

export async function buildWeb(dist = path.join(root, 'dist')): Promise<string[]> {
  const lines: string[] = [];
  await esbuild.build(browserOptions({ 'hire-snn': 'src/browser.ts' }, { outdir: path.join(dist, 'browser') }));
  lines.push(`dist/browser/hire-snn.js: the browser entry (hire-snn/browser)`);
  const web = path.join(dist, 'web');
  fs.rmSync(web, { recursive: true, force: true });
  await esbuild.build(browserOptions({ app: 'web/app.ts', worker: 'web/worker.ts' }, { outdir: web, minify: true, sourcemap: false }));
  for (const f of ['index.html', 'style.css']) fs.copyFileSync(path.join(root, 'web', f), path.join(web, f));
  const images = await appImages();
  fs.writeFileSync(path.join(web, 'images.safetensors'), images.bytes);
  const missing = Object.keys(WEB_FILES).filter((f) => !fs.existsSync(path.join(web, f)));
  if (missing.length) throw new Error(`the web build did not write ${missing.join(', ')}`);
  lines.push(`dist/web/: the explorer app (images from ${images.from})`);
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    for (const line of await buildWeb()) console.log(line);
  } catch (err) {
    // esbuild has printed its errors already
    console.error(`build-web: ${(err as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
}
