// Large arrays (a table's numbers, a training matrix) in memory the kernel may back with 2 MiB
// pages. Where transparent huge pages are in `madvise` mode, each fresh 4 KiB page costs a fault
// on first touch, which on a virtual machine is slow enough to dominate reading a large file;
// a 2 MiB page takes one fault where 4 KiB pages take 512 (bench/README.md, W4). Huge pages are
// Linux's; elsewhere the advice is a no-op.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace mlp {

// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with huge pages. It takes
// effect on pages not yet touched, and only in anonymous memory: a block from malloc() of more
// than a few hundred KiB qualifies (glibc maps those on their own), e.g. a large Eigen matrix
// right after it is constructed. Best effort: where it is refused, memory is just slower.
inline void advise_huge_pages(void* p, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// `size` bytes of zeros in a mapping of their own, advised for huge pages. The kernel zeroes
// each page as it is first touched, so making one costs nothing until it is used, and pages
// never touched cost nothing at all: it may be sized for the worst case. Move-only.
class HugeBuffer {
 public:
  HugeBuffer() = default;
  explicit HugeBuffer(std::size_t size) : size_(size) {
    if (size == 0) return;
    // 2 MiB more than asked, so the start can be moved to a 2 MiB boundary: then every 2 MiB
    // of the buffer can be one huge page. Untouched, the extra costs nothing.
    constexpr std::size_t huge = std::size_t{1} << 21;
    if (size > SIZE_MAX - huge) throw std::bad_alloc();
    map_size_ = size < huge ? size : size + huge;
    void* m = ::mmap(nullptr, map_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    map_ = static_cast<char*>(m);
    data_ = map_;
    if (map_size_ > size) data_ += (huge - reinterpret_cast<std::uintptr_t>(map_) % huge) % huge;
    advise_huge_pages(data_, size);
  }
  ~HugeBuffer() {
    if (map_) ::munmap(map_, map_size_);
  }
  HugeBuffer(HugeBuffer&& o) noexcept { swap(o); }
  HugeBuffer& operator=(HugeBuffer&& o) noexcept {
    HugeBuffer(std::move(o)).swap(*this);
    return *this;
  }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void swap(HugeBuffer& o) noexcept {
    std::swap(map_, o.map_);
    std::swap(map_size_, o.map_size_);
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
  }

  char* map_ = nullptr;  // the whole mapping, for munmap
  std::size_t map_size_ = 0;
  char* data_ = nullptr;  // map_ moved up to a 2 MiB boundary
  std::size_t size_ = 0;
};

}  // namespace mlp
