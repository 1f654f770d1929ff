// Addon entry: registers the kernels and the introspection functions.
#include <napi.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cache.h"
#include "common.h"
#include "conv.h"
#include "gemm.h"
#include "isa.h"
#include "lif.h"
#include "lif-pooled.h"
#include "optim.h"
#include "pool.h"
#include "sparse.h"

namespace hsnn {

namespace {

const char* dnnlIsaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::all: return "all";
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
  }
  return "unknown";
}

/**
 * Every op output and gradient is a fresh Float32Array, many of them tens of MiB. glibc serves
 * blocks above 32 MiB with mmap and unmaps them on free, so each new buffer costs page faults
 * (slow on the benchmark VM: about 0.5 GB/s of fresh pages). Serving them from
 * the heap and keeping freed memory (no trimming below 1 GiB of free top) makes a new buffer a
 * memset of recycled memory instead. The peak RSS stays about the same (the tape's high-water
 * mark). HIRE_SNN_MALLOC_TUNING=0 keeps glibc's defaults.
 */
bool tuneMalloc() {
#if defined(__GLIBC__)
  const char* env = std::getenv("HIRE_SNN_MALLOC_TUNING");
  if (env && std::strcmp(env, "0") == 0) return false;
  // the environment variables, when set, win (glibc read them at startup)
  if (std::getenv("MALLOC_MMAP_MAX_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return false;
  const bool ok = mallopt(M_MMAP_MAX, 0) == 1;
  return mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 && ok;
#else
  return false;
#endif
}

bool mallocTuned = false;

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const dnnl_version_t* v = dnnl_version();
  Napi::Object o = Napi::Object::New(env);
  o.Set("dnnlVersion", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("dnnlHash", v->hash ? v->hash : "");
  o.Set("isa", dnnlIsaName(dnnl::get_effective_cpu_isa()));
  o.Set("kernelIsa", isaName(activeIsa()));
  o.Set("threads", omp_get_max_threads());
  o.Set("procs", omp_get_num_procs());
  o.Set("convLayout", convLayoutName());
  o.Set("mallocTuned", mallocTuned);
  return o;
}

Napi::Value CacheStatsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CacheStats& s = cacheStats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("hits", static_cast<double>(s.hits));
  o.Set("misses", static_cast<double>(s.misses));
  o.Set("entries", static_cast<double>(s.entries));
  o.Set("scratchBytes", static_cast<double>(scratchBytes()));
  return o;
}

Napi::Value ClearCaches(const Napi::CallbackInfo& info) {
  clearAllCaches();
  releaseScratch();
  return info.Env().Undefined();
}

using Entry = Napi::Value (*)(const Napi::CallbackInfo&);

// the kernels, each under its Backend method name and with its arguments (src/kernels/backend.ts:
// the loader checks the addon against KERNEL_NAMES there, a test that nothing else is exported)
const std::pair<const char*, Entry> kKernels[] = {
    {"conv2dForward", Conv2dForward},
    {"conv2dBackwardData", Conv2dBackwardData},
    {"conv2dBackwardWeights", Conv2dBackwardWeights},
    {"gemm", Gemm},
    {"avgPoolForward", AvgPoolForward},
    {"avgPoolBackward", AvgPoolBackward},
    {"mulRepeated", MulRepeated},
    {"adamStep", AdamStep},
    {"sgdStep", SgdStep},
    {"lifForward", LifForward},
    {"lifBackward", LifBackward},
    {"countNonzero", CountNonzero},
    {"conv2dForwardSparse", Conv2dForwardSparse},
    {"conv2dBackwardDataSparse", Conv2dBackwardDataSparse},
    {"conv2dBackwardWeightsSparse", Conv2dBackwardWeightsSparse},
    {"linearForwardSparse", LinearForwardSparse},
    {"linearBackwardDataSparse", LinearBackwardDataSparse},
    {"linearBackwardWeightsSparse", LinearBackwardWeightsSparse},
    {"lifForwardPooled", LifForwardPooled},
    {"lifBackwardPooled", LifBackwardPooled},
};

// introspection and settings (NativeAddon in src/kernels/native.ts)
const std::pair<const char*, Entry> kControls[] = {
    {"info", Info},
    {"cacheStats", CacheStatsJs},
    {"clearCaches", ClearCaches},
    {"convLayout", ConvLayoutJs},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const std::string isaError = initIsa();  // before oneDNN's first use: it may cap oneDNN
  if (!isaError.empty()) throw Napi::Error::New(env, isaError);
  mallocTuned = tuneMalloc();
  for (const auto& [name, fn] : kKernels) exports.Set(name, Napi::Function::New(env, fn, name));
  for (const auto& [name, fn] : kControls) exports.Set(name, Napi::Function::New(env, fn, name));
  return exports;
}

}  // namespace

}  // namespace hsnn

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return hsnn::Init(env, exports); }

NODE_API_MODULE(hire_snn, InitAddon)
