#!/usr/bin/env node
/**
 * Builds the optional native addon (build/Release/hire_snn.node, oneDNN + OpenMP) at install.
 * It never fails the install: when oneDNN or a compiler is missing, or the build fails, it
 * prints one line and exits 0, and hire-snn uses its portable TypeScript backend.
 *
 * Environment:
 *   HIRE_SNN_SKIP_NATIVE=1   do not build
 *   CXX                      C++ compiler for the probe (default c++); node-gyp's make uses it too
 *   HIRE_SNN_NATIVE_JOBS     parallel compile jobs (default min(2, cpus))
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HINT = 'apt-get install libdnnl-dev';

function notBuilt(reason, details) {
  if (details) {
    // the tail of the compiler output, without node-gyp's progress chatter
    const lines = details.trimEnd().split('\n').filter((l) => !/^gyp (info|http|verb)/.test(l));
    console.log(lines.slice(-20).join('\n'));
  }
  console.log(`hire-snn: native addon not built (${reason}); using the portable backend`);
  process.exit(0);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60 * 1000,
    ...opts,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: !r.error && r.status === 0, output, error: r.error };
}

/** the compiler command as argv (CXX may carry flags, e.g. "g++ -m64") */
function compiler() {
  const words = (process.env.CXX ?? 'c++').trim().split(/\s+/).filter(Boolean);
  return { cmd: words[0] ?? 'c++', pre: words.slice(1) };
}

/** checks that oneDNN's headers and library and OpenMP are usable: undefined, or why not */
function probe() {
  const { cmd, pre } = compiler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hire-snn-probe-'));
  try {
    const src = path.join(dir, 'probe.cc');
    writeFileSync(
      src,
      '#include <oneapi/dnnl/dnnl.hpp>\n#include <omp.h>\n' +
        'int main() { return dnnl_version()->major > 0 && omp_get_max_threads() > 0 ? 0 : 1; }\n',
    );
    const pp = run(cmd, [...pre, '-std=c++17', '-E', src, '-o', path.join(dir, 'probe.ii')]);
    if (pp.error && pp.error.code === 'ENOENT') return { reason: `no C++ compiler "${cmd}": apt-get install g++` };
    if (!pp.ok) {
      if (/dnnl/.test(pp.output)) return { reason: `oneDNN headers not found: ${HINT}` };
      if (/omp\.h/.test(pp.output)) return { reason: 'OpenMP headers not found (omp.h)' };
      return { reason: 'the C++ compiler cannot preprocess the oneDNN probe', details: pp.output };
    }
    const link = run(cmd, [...pre, '-std=c++17', '-fopenmp', src, '-o', path.join(dir, 'probe'), '-ldnnl']);
    if (!link.ok) {
      if (/-ldnnl|dnnl_version/.test(link.output)) return { reason: `oneDNN library not found (-ldnnl): ${HINT}` };
      return { reason: 'cannot link a oneDNN + OpenMP probe', details: link.output };
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** [command, ...args] running node-gyp */
function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) {
    return fromNpm.endsWith('.js') ? [process.execPath, fromNpm] : [fromNpm];
  }
  const bundled = path.join(
    path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js',
  );
  if (existsSync(bundled)) return [process.execPath, bundled];
  const local = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(local)) return [process.execPath, local];
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', '--yes', 'node-gyp'];
}

/** --nodedir for local Node headers, so node-gyp does not try to download them */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.env.HIRE_SNN_SKIP_NATIVE === '1') {
    console.log('hire-snn: native addon not built (HIRE_SNN_SKIP_NATIVE=1); using the portable backend');
    return;
  }
  if (!existsSync(path.join(root, 'binding.gyp'))) notBuilt('binding.gyp missing from the package');
  if (!canResolve('node-addon-api')) notBuilt('node-addon-api is not installed');
  const missing = probe();
  if (missing) notBuilt(missing.reason, missing.details);
  const jobs = process.env.HIRE_SNN_NATIVE_JOBS ?? String(Math.max(1, Math.min(2, os.availableParallelism())));
  const [cmd, ...pre] = nodeGyp();
  const r = run(cmd, [...pre, 'rebuild', '--release', `--jobs=${jobs}`, ...nodedirArgs()]);
  const out = path.join(root, 'build', 'Release', 'hire_snn.node');
  if (!r.ok || !existsSync(out)) {
    const why = r.error ? `${cmd}: ${r.error.message}` : 'compile failed';
    notBuilt(why, r.output);
  }
  console.log('hire-snn: native addon built (oneDNN + OpenMP): build/Release/hire_snn.node');
}

function canResolve(name) {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

try {
  main();
} catch (e) {
  // whatever happens, never fail the install
  console.log(`hire-snn: native addon not built (${e instanceof Error ? e.message : String(e)}); using the portable backend`);
}
process.exit(0);
