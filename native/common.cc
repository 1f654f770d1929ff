#include "common.h"

#include <cmath>
#include <cstdlib>
#include <new>

namespace hsnn {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

float* f32Arg(const Napi::CallbackInfo& info, size_t i, size_t need, const char* what) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a Float32Array");
  }
  Napi::Float32Array a = info[i].As<Napi::Float32Array>();
  if (a.ElementLength() < need) {
    throw Napi::RangeError::New(env, std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                         " elements, needs " + std::to_string(need));
  }
  return a.Data();
}

double numArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  double v = numArg(info, i, what);
  if (!(v >= 0) || v > 9.0e15 || std::floor(v) != v) {
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must be a non-negative integer");
  }
  return static_cast<int64_t>(v);
}

bool boolArg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].ToBoolean().Value();
}

namespace {
struct Slot {
  void* ptr = nullptr;
  size_t bytes = 0;
};
Slot slots[4];
}  // namespace

void* scratch(int slot, size_t bytes) {
  Slot& s = slots[slot];
  if (s.bytes < bytes) {
    std::free(s.ptr);
    size_t rounded = (bytes + 63) / 64 * 64;
    s.ptr = std::aligned_alloc(64, rounded);
    if (!s.ptr) {
      s.bytes = 0;
      throw std::bad_alloc();
    }
    s.bytes = rounded;
  }
  return s.ptr;
}

void releaseScratch() {
  for (Slot& s : slots) {
    std::free(s.ptr);
    s.ptr = nullptr;
    s.bytes = 0;
  }
}

size_t scratchBytes() {
  size_t total = 0;
  for (const Slot& s : slots) total += s.bytes;
  return total;
}

}  // namespace hsnn
