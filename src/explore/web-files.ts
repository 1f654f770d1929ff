/**
 * The explorer app's files in dist/web/ (scripts/build-web.ts writes them) with their content
 * types: everything `hire-snn explore` serves besides the one model it was given.
 */
export const WEB_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'worker.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'images.safetensors': 'application/octet-stream',
};
