// Shape-keyed cache of prepared oneDNN primitives (the same shapes repeat every batch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace hsnn {

using CacheKey = std::vector<int64_t>;

struct CacheKeyHash {
  size_t operator()(const CacheKey& k) const noexcept {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the 64-bit words
    for (int64_t v : k) {
      h ^= static_cast<uint64_t>(v);
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  size_t entries = 0;
};

/** global counters over every PrimitiveCache instance */
CacheStats& cacheStats();

/**
 * Maps a shape key to a prepared plan; `make` builds the plan on a miss.
 * Plans are never mutated after creation. When more than `capacity` plans
 * exist the cache is cleared (shapes in training are few; this only bounds
 * pathological use such as a different alpha on every gemm call).
 */
template <typename Plan>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity = 512) : capacity_(capacity) {}

  std::shared_ptr<const Plan> get(const CacheKey& key, const std::function<Plan()>& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) {
        cacheStats().hits++;
        return it->second;
      }
    }
    auto plan = std::make_shared<const Plan>(make());
    std::lock_guard<std::mutex> lock(mu_);
    cacheStats().misses++;
    if (map_.size() >= capacity_) {
      cacheStats().entries -= map_.size();
      map_.clear();
    }
    auto res = map_.emplace(key, plan);
    if (res.second) cacheStats().entries++;
    return res.first->second;
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    cacheStats().entries -= map_.size();
    map_.clear();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<CacheKey, std::shared_ptr<const Plan>, CacheKeyHash> map_;
};

/** registers a function that clears one cache (for clearCaches()) */
void registerCacheClearer(std::function<void()> fn);
/** clears every primitive cache */
void clearAllCaches();

/** the process-wide cache of `Plan`s (one per plan type), cleared by clearAllCaches() */
template <typename Plan>
PrimitiveCache<Plan>& registeredCache() {
  static PrimitiveCache<Plan>* cache = [] {
    auto* c = new PrimitiveCache<Plan>();  // never freed: usable until exit
    registerCacheClearer([c] { c->clear(); });
    return c;
  }();
  return *cache;
}

}  // namespace hsnn
