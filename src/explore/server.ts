/**
 * The explorer's static server (`hire-snn explore`, node:http): GET/HEAD of the app's files
 * (WEB_FILES, read once from dist/web/), the image set, `explore.json` (which model is served)
 * and the one model named, nothing else — no directory listing, no path from the URL ever
 * touches the file system. Loopback by default; on a loopback address a request for another
 * Host is refused (a web page elsewhere cannot rebind its name to this server).
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WEB_FILES } from './web-files.js';

export interface ServedModel {
  /** the file's base name, shown in the page */
  name: string;
  bytes: Uint8Array;
}

export interface ExploreServerOptions {
  /** the built app (dist/web/) */
  webDir: string;
  /** served as images.safetensors instead of the app's own (--data) */
  images?: Uint8Array;
  model?: ServedModel;
  /** --arch / --hidden for the page's reader (a .pt whose architecture is not inferred) */
  arch?: string;
  hidden?: number[];
  host: string;
  /** 0: any free port */
  port: number;
}

export interface ExploreServer {
  url: string;
  close(): Promise<void>;
}

/** the page reads this to find the served model */
export const CONFIG_FILE = 'explore.json';

interface Entry {
  type: string;
  body: Uint8Array;
}

/**
 * A policy a page of this app needs and no more: its own scripts (Vega compiles expressions with
 * `Function`, hence unsafe-eval), workers and requests to this server only, inline styles (Vega).
 */
const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function routes(opts: ExploreServerOptions): Map<string, Entry> {
  const table = new Map<string, Entry>();
  for (const [file, type] of Object.entries(WEB_FILES)) {
    table.set(`/${file}`, { type, body: fs.readFileSync(path.join(opts.webDir, file)) });
  }
  table.set('/', table.get('/index.html')!);
  if (opts.images) table.set('/images.safetensors', { type: WEB_FILES['images.safetensors'], body: opts.images });
  const modelUrl = opts.model ? `model/${encodeURIComponent(opts.model.name)}` : null;
  const arch = { ...(opts.arch ? { arch: opts.arch } : {}), ...(opts.hidden ? { hidden: opts.hidden } : {}) };
  const config = { model: opts.model ? { name: opts.model.name, url: modelUrl, ...arch } : null };
  table.set(`/${CONFIG_FILE}`, { type: 'application/json; charset=utf-8', body: new TextEncoder().encode(JSON.stringify(config)) });
  if (opts.model) table.set(`/${modelUrl}`, { type: 'application/octet-stream', body: opts.model.bytes });
  return table;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** on a loopback address, the Host header must name a loopback host (DNS rebinding) */
function hostAllowed(header: string | undefined, loopback: boolean): boolean {
  if (!loopback) return true;
  if (!header) return false;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '');
  return isLoopback(name);
}

function send(res: http.ServerResponse, status: number, type: string, body: Uint8Array | string, head: boolean): void {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  res.writeHead(status, {
    'content-type': type, 'content-length': bytes.byteLength, 'cache-control': 'no-store',
    'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'content-security-policy': CSP,
  });
  res.end(head ? undefined : bytes);
}

/** listens, then resolves with the URL to open */
export async function startExploreServer(opts: ExploreServerOptions): Promise<ExploreServer> {
  const table = routes(opts);
  const loopback = isLoopback(opts.host);
  const server = http.createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n', head);
      return;
    }
    if (!hostAllowed(req.headers.host, loopback)) {
      send(res, 421, 'text/plain; charset=utf-8', 'this server answers to localhost only\n', head);
      return;
    }
    const pathname = (req.url ?? '/').split('?')[0];
    const entry = table.get(pathname);
    if (!entry) send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    else send(res, 200, entry.type, entry.body, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
