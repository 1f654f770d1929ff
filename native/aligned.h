// std::vector storage on 64-byte (cache-line, zmm) boundaries. The event-driven kernels load
// whole 64-byte weight/gradient rows; from glibc's 16-byte-aligned blocks every such load
// straddles two cache lines, which measured 1.4x slower (bench/sparse.ts).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace hsnn {

template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(size_t n) {
    const size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }
};
template <class T, class U>
bool operator==(const AlignedAllocator<T>&, const AlignedAllocator<U>&) { return true; }
template <class T, class U>
bool operator!=(const AlignedAllocator<T>&, const AlignedAllocator<U>&) { return false; }

template <class T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

/** uninitialized 64-byte-aligned storage, for buffers whose every element is written before it is read */
template <class T>
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t n) : p_(AlignedAllocator<T>().allocate(n)) {}
  ~AlignedBuffer() { std::free(p_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  T* data() { return p_; }
  const T* data() const { return p_; }

 private:
  T* p_;
};

}  // namespace hsnn
