// Event-driven kernels for sparse (mostly zero) inputs: spikes and averages of spikes.
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (x, w, y, n, cIn, h, w, cOut, kh, kw, stride, pad); same result as Conv2dForward
Napi::Value Conv2dForwardSparse(const Napi::CallbackInfo& info);
// JS: (dy, w, dx, n, cIn, h, w, cOut, kh, kw, stride 1, pad); same result as Conv2dBackwardData
Napi::Value Conv2dBackwardDataSparse(const Napi::CallbackInfo& info);
// JS: (x, dy, dw, n, cIn, h, w, cOut, kh, kw, stride, pad); same result as Conv2dBackwardWeights
Napi::Value Conv2dBackwardWeightsSparse(const Napi::CallbackInfo& info);
// JS: (x, dy, dw, n, inF, outF): dw[outF, inF] = dy^T x, event-driven in x
Napi::Value LinearBackwardWeightsSparse(const Napi::CallbackInfo& info);
// JS: (x, w, y, n, inF, outF): y[n, outF] = x W^T, event-driven in x
Napi::Value LinearForwardSparse(const Napi::CallbackInfo& info);
// JS: (dy, w, dx, n, inF, outF): dx[n, inF] = dy W, event-driven in dy
Napi::Value LinearBackwardDataSparse(const Napi::CallbackInfo& info);
// JS: (x) -> number of nonzero values
Napi::Value CountNonzero(const Napi::CallbackInfo& info);

}  // namespace hsnn
