// Progress bar and epoch lines. The bar is redrawn at most ten times a second, so it costs
// nothing measurable even at thousands of batches per second.
#include "progress.hpp"

#include <unistd.h>

namespace mlp::app {

Progress::Progress(std::FILE* out, bool quiet)
    : out_(out),
      quiet_(quiet),
      bar_(!quiet && isatty(fileno(stderr)) && std::getenv("TERM") && std::string(std::getenv("TERM")) != "dumb") {}

void Progress::batch(int epoch, int epochs, long done, long total, double loss, long samples_done) {
  if (!bar_) return;
  const auto now = std::chrono::steady_clock::now();
  if (epoch != epoch_) {
    epoch_ = epoch;
    epoch_start_ = now;
  }
  if (done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(samples_done) / elapsed : 0.0;
  const double eta = done > 0 ? elapsed * static_cast<double>(total - done) / static_cast<double>(done) : 0.0;
  const int width = 30, filled = static_cast<int>(width * done / std::max(total, 1L));
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %ld/%ld  %.0f samples/s  loss %.4f  ETA %.1fs", epoch, epochs,
               bar.c_str(), done, total, rate, loss, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::line(const std::string& text) {
  if (quiet_) return;
  clear();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

}  // namespace mlp::app
