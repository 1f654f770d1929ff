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
  // one stream per calling thread (worker_threads may each drive the addon)
  thread_local dnnl::stream s(engine());
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

F32Buffer f32Buffer(const Napi::CallbackInfo& info, size_t i, const char* what) {
  float* data = f32Arg(info, i, 0, what);
  return {data, static_cast<int64_t>(info[i].As<Napi::Float32Array>().ElementLength())};
}

double numArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

namespace {
int64_t toInt(Napi::Env env, double v, const char* what) {
  if (!(v >= 0) || v > 9.0e15 || std::floor(v) != v) {
    throw Napi::RangeError::New(env, std::string(what) + " must be a non-negative integer");
  }
  return static_cast<int64_t>(v);
}
}  // namespace

int64_t intArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return toInt(info.Env(), numArg(info, i, what), what);
}

Napi::Object objArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsObject()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be an object");
  return info[i].As<Napi::Object>();
}

double numProp(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

int64_t intProp(const Napi::Object& o, const char* key) { return toInt(o.Env(), numProp(o, key), key); }

bool boolProp(const Napi::Object& o, const char* key) { return o.Get(key).ToBoolean().Value(); }

size_t elems(const Napi::CallbackInfo& info, std::initializer_list<int64_t> dims) {
  constexpr int64_t kMax = int64_t(1) << 48;
  int64_t total = 1;
  for (int64_t d : dims) {
    if (d == 0) return 0;
  }
  for (int64_t d : dims) {
    if (d < 0 || d > kMax / total) throw Napi::RangeError::New(info.Env(), "tensor shape too large");
    total *= d;
  }
  return static_cast<size_t>(total);
}

bool boolArg(const Napi::CallbackInfo& info, size_t i) {
  return i < info.Length() && info[i].ToBoolean().Value();
}

namespace {
struct Slot {
  void* ptr = nullptr;
  size_t bytes = 0;
};
struct Arena {
  Slot slots[4];
  ~Arena() {
    for (Slot& s : slots) std::free(s.ptr);
  }
};
// per calling thread, so concurrent callers (worker_threads) never share a buffer
thread_local Arena arena;
}  // namespace

void* scratch(int slot, size_t bytes) {
  Slot& s = arena.slots[slot];
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
  for (Slot& s : arena.slots) {
    std::free(s.ptr);
    s.ptr = nullptr;
    s.bytes = 0;
  }
}

size_t scratchBytes() {
  size_t total = 0;
  for (const Slot& s : arena.slots) total += s.bytes;
  return total;
}

}  // namespace hsnn
