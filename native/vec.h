// 16-float vectors for the event-driven kernels.
#pragma once

namespace hsnn {

// GCC/Clang vector extensions: 16 floats, lowered to one zmm (AVX-512 clone), two ymm (AVX2)
// or four xmm (default); the accumulators stay in registers
typedef float v16 __attribute__((vector_size(64)));
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));

}  // namespace hsnn
