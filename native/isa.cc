// Which ISA the addon's loops run, and the cap HIRE_SNN_ISA puts on them and on oneDNN.
#include "isa.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <cstring>

namespace hsnn {

namespace {

Isa g_isa = Isa::Baseline;

Isa cpuIsa() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Baseline;
}

bool parseIsa(const char* name, Isa& out) {
  for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512}) {
    if (std::strcmp(name, isaName(isa)) == 0) {
      out = isa;
      return true;
    }
  }
  return false;
}

}  // namespace

Isa activeIsa() { return g_isa; }

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "baseline";
  }
}

std::string initIsa() {
  const Isa best = cpuIsa();
  g_isa = best;
  const char* env = std::getenv("HIRE_SNN_ISA");
  if (!env || !*env || std::strcmp(env, "auto") == 0) return "";
  Isa wanted;
  if (!parseIsa(env, wanted)) return std::string("HIRE_SNN_ISA must be avx512, avx2, baseline or auto, not \"") + env + "\"";
  if (wanted > best) return std::string("HIRE_SNN_ISA=") + env + " but this CPU's best is " + isaName(best);
  g_isa = wanted;
  if (wanted == best) return "";
  // oneDNN takes the cap only before its first primitive (the addon has created none yet)
  try {
    dnnl::set_max_cpu_isa(wanted == Isa::Avx2 ? dnnl::cpu_isa::avx2 : dnnl::cpu_isa::sse41);
  } catch (const dnnl::error& e) {
    return std::string("HIRE_SNN_ISA: oneDNN refused the cap: ") + e.what();
  }
  return "";
}

}  // namespace hsnn
