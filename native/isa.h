// The instruction set of the addon's own loops, chosen once when the addon loads (isa.cc).
#pragma once

#include <string>

namespace hsnn {

enum class Isa : int { Baseline = 0, Avx2 = 1, Avx512 = 2 };

/**
 * the ISA the addon's loops run: the CPU's best (avx512: AVX-512F; avx2: AVX2 and FMA; baseline:
 * x86-64's SSE2), or lower when HIRE_SNN_ISA caps it
 */
Isa activeIsa();
/** "avx512", "avx2" or "baseline" (the values HIRE_SNN_ISA takes, with "auto") */
const char* isaName(Isa isa);
/**
 * Reads HIRE_SNN_ISA and caps the addon's loops and oneDNN (dnnl::set_max_cpu_isa) below the
 * CPU's best when asked; returns an error message (an unknown name, or more than the CPU has), or "".
 */
std::string initIsa();

}  // namespace hsnn
