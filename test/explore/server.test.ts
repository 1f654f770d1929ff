/** `hire-snn explore`'s server answers only for its files, only to localhost names; the command fails in one line on bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { startExploreServer } from '../../src/explore/server.js';
import { WEB_FILES } from '../../src/explore/web-files.js';
import { runCliProcess } from '../helpers/cli.js';
import { evilPt, otherSizeCheckpoint } from './helpers.js';

interface Reply {
  status: number;
  type?: string;
  body: Buffer;
}

/** a raw request (fetch would normalise the path and refuse to set Host) */
function request(url: string, target: string, opts: { method?: string; host?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: target, method: opts.method ?? 'GET', headers: opts.host ? { host: opts.host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('server: the app, the image set, explore.json and the one model; nothing else, and only for localhost', async () => {
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'explore-web-'));
  for (const f of Object.keys(WEB_FILES)) fs.writeFileSync(path.join(web, f), `contents of ${f}`);
  fs.writeFileSync(path.join(web, 'secret.txt'), 'not served');
  const model = { name: 'my model.safetensors', bytes: Uint8Array.from([1, 2, 3, 4]) };
  const server = await startExploreServer({ webDir: web, model, arch: 'vgg11', host: '127.0.0.1', port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await request(server.url, '/');
    assert.equal(index.status, 200);
    assert.equal(index.body.toString(), 'contents of index.html');
    assert.equal(index.type, 'text/html; charset=utf-8');
    for (const f of Object.keys(WEB_FILES)) assert.equal((await request(server.url, `/${f}?v=1`)).body.toString(), `contents of ${f}`);
    const config = JSON.parse((await request(server.url, '/explore.json')).body.toString());
    assert.deepEqual(config, { model: { name: 'my model.safetensors', url: 'model/my%20model.safetensors', arch: 'vgg11' } });
    assert.deepEqual([...(await request(server.url, '/model/my%20model.safetensors')).body], [1, 2, 3, 4]);
    for (const target of ['/secret.txt', '/../package.json', '/%2e%2e/package.json', '/model/', '/model/other.pt', '//etc/passwd', '/index.html/']) {
      assert.equal((await request(server.url, target)).status, 404, target);
    }
    assert.equal((await request(server.url, '/', { method: 'POST' })).status, 405);
    const head = await request(server.url, '/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal((await request(server.url, '/', { host: 'attacker.example:80' })).status, 421);
    assert.equal((await request(server.url, '/', { host: `localhost:${new URL(server.url).port}` })).status, 200);
  } finally {
    await server.close();
    fs.rmSync(web, { recursive: true, force: true });
  }
});

test('hire-snn explore: a bad model, port or dataset is one line and exit 1, before any server', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explore-cli-'));
  try {
    fs.writeFileSync(path.join(dir, 'evil.pt'), evilPt());
    fs.writeFileSync(path.join(dir, 'mnist.safetensors'), otherSizeCheckpoint());
    const cases: [string[], RegExp][] = [
      [['--model', path.join(dir, 'none.pt')], /^hire-snn: .*none\.pt: no such file$/],
      [['--model', path.join(dir, 'evil.pt')], /^hire-snn: .*evil\.pt: .*refusing to load "os\.system"/],
      [['--model', path.join(dir, 'mnist.safetensors'), '--dataset', 'cifar10'], /^hire-snn: .*mnist\.safetensors: the model takes 1x28x28 images, the images here are cifar10 3x32x32$/],
      [['--port', '70000'], /^hire-snn: --port must be at most 65535, got 70000$/],
    ];
    for (const [args, message] of cases) {
      const r = runCliProcess(['explore', ...args]);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr.trim(), message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
