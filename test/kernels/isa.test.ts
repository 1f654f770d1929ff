/**
 * HIRE_SNN_ISA, the forced-ISA switch: it caps the addon's own loops and oneDNN, `hire-snn info`
 * says so, a wrong value fails the load with one clear reason, and on an AVX-512 machine the
 * native kernel and fixture tests run again on the AVX2 path (in a child process, since the
 * ISA is fixed when the addon loads).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeBackend } from '../../src/kernels/native.js';
import { nativeSkip } from '../helpers/backends.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const native = loadNativeBackend().backend;
const skip = nativeSkip();

/** runs `node args` in the repo with the extra environment (as its own test run, not a subtest of this one) */
function node(args: string[], env: Record<string, string>, timeout = 60_000) {
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  return spawnSync(process.execPath, args, { cwd: root, env: { ...inherited, ...env }, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}

/** the addon's info() in a child with HIRE_SNN_ISA set, or the reason it did not load */
function childInfo(isa: string): { isa?: string; oneDNNIsa?: string; reason?: string } {
  const script = `import('./src/kernels/native.ts').then(({ loadNativeBackend }) => {
    const { backend, reason } = loadNativeBackend();
    process.stdout.write(JSON.stringify(backend ? backend.info().details : { reason }));
  })`;
  const r = node(['--import', 'tsx', '-e', script], { HIRE_SNN_ISA: isa });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { isa?: string; oneDNNIsa?: string; reason?: string };
}

describe('forced ISA (HIRE_SNN_ISA)', { skip }, () => {
  const best = native?.info().details.isa;

  test('the default is the CPU\'s best, and a cap lowers both the kernels and oneDNN', () => {
    assert.ok(best === 'avx512' || best === 'avx2' || best === 'baseline', `kernel ISA ${best}`);
    const auto = childInfo('auto');
    assert.equal(auto.isa, best);
    const capped = childInfo('baseline');
    assert.equal(capped.isa, 'baseline');
    assert.equal(capped.oneDNNIsa, 'sse41');
    if (best === 'avx512') {
      const avx2 = childInfo('avx2');
      assert.equal(avx2.isa, 'avx2');
      assert.equal(avx2.oneDNNIsa, 'avx2');
    }
  });

  test('an unknown ISA, or one the CPU lacks, fails the load with the reason', () => {
    assert.match(childInfo('avx1024').reason ?? '', /HIRE_SNN_ISA must be avx512, avx2, baseline or auto, not "avx1024"/);
    if (best !== 'avx512') assert.match(childInfo('avx512').reason ?? '', /HIRE_SNN_ISA=avx512 but this CPU's best is/);
  });

  test('hire-snn info reports the ISA in use', () => {
    const r = node([path.join('dist', 'src', 'cli', 'main.js'), 'info'], { HIRE_SNN_ISA: 'baseline' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^isa\s+baseline$/m);
    assert.match(r.stdout, /^oneDNNIsa\s+sse41$/m);
  });

  // the AVX2 path of an AVX-512 machine: every native kernel test and the model fixtures again
  const files = [
    'test/kernels/kernels.test.ts', 'test/kernels/sparse.test.ts', 'test/kernels/lif-pooled.test.ts',
    'test/kernels/surrogate.test.ts', 'test/kernels/optim.test.ts', 'test/snn/vgg-fixture.test.ts', 'test/snn/resnet-fixture.test.ts',
  ];
  test('the native kernel and fixture tests pass on the AVX2 path', { skip: best === 'avx512' ? false : `this CPU's best is ${best}: the default run is its path` }, () => {
    const r = node(['--import', 'tsx', '--test', ...files], { HIRE_SNN_ISA: 'avx2', HIRE_SNN_BACKEND: 'native' }, 20 * 60_000);
    const summary = /^# (tests|pass|fail) \d+$/gm;
    assert.equal(r.status, 0, `${r.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 30).join('\n')}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, /^# fail 0$/m, (r.stdout.match(summary) ?? []).join(', '));
    assert.doesNotMatch(r.stdout, /^# tests 0$/m);
  });
});
