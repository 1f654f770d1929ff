// Average pooling with kernel = stride = k, no padding (own OpenMP loops).
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (x, n, c, h, w, k, y)
Napi::Value AvgPoolForward(const Napi::CallbackInfo& info);
// JS: (dy, n, c, h, w, k, dx)
Napi::Value AvgPoolBackward(const Napi::CallbackInfo& info);

}  // namespace hsnn
