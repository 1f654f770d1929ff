// 2-D convolution (no bias/groups/dilation, symmetric zero padding) on oneDNN.
#pragma once

#include <napi.h>

namespace hsnn {

/** how convolution primitives see their operands */
enum class ConvLayout {
  /** oneDNN runs directly on the caller's NCHW/OIHW buffers */
  Plain = 0,
  /** oneDNN picks (blocked) layouts; operands are reordered in and out */
  Blocked = 1,
  /**
   * per primitive: blocked, except backward-data with few input channels (the first
   * layer), where oneDNN's plain im2col+GEMM path is faster (measured, bench/kernels.ts)
   */
  Auto = 2,
};

ConvLayout convLayout();
const char* convLayoutName();
void setConvLayout(ConvLayout layout);

// JS: (x, w, shape, y), shape a ConvShape object (conv-shape.h)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info);
// JS: (dy, w, shape, dx)
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info);
// JS: (x, dy, shape, dw)
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info);
// JS: () -> 'plain' | 'blocked' | 'auto';  (name) sets it
Napi::Value ConvLayoutJs(const Napi::CallbackInfo& info);

}  // namespace hsnn
