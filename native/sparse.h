// Event-driven kernels for sparse (mostly zero) inputs: spikes and averages of spikes.
#pragma once

#include <napi.h>

namespace hsnn {

// JS: (x, w, shape, y); same result as Conv2dForward
Napi::Value Conv2dForwardSparse(const Napi::CallbackInfo& info);
// JS: (dy, w, shape (stride 1), dx); same result as Conv2dBackwardData
Napi::Value Conv2dBackwardDataSparse(const Napi::CallbackInfo& info);
// JS: (x, dy, shape, dw); same result as Conv2dBackwardWeights
Napi::Value Conv2dBackwardWeightsSparse(const Napi::CallbackInfo& info);
// JS: (x, dy, n, inF, outF, dw): dw[outF, inF] = dy^T x, event-driven in x
Napi::Value LinearBackwardWeightsSparse(const Napi::CallbackInfo& info);
// JS: (x, w, n, inF, outF, y): y[n, outF] = x W^T, event-driven in x
Napi::Value LinearForwardSparse(const Napi::CallbackInfo& info);
// JS: (dy, w, n, inF, outF, dx): dx[n, inF] = dy W, event-driven in dy
Napi::Value LinearBackwardDataSparse(const Napi::CallbackInfo& info);
// JS: (x) -> number of nonzero values
Napi::Value CountNonzero(const Napi::CallbackInfo& info);

}  // namespace hsnn
