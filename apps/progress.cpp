// Progress bar and epoch lines. The bar is redrawn at most ten times a second, so it costs
// nothing measurable even at thousands of batches per second.
#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace mlp::app {

Progress::Progress(std::FILE* out, bool quiet)
    : out_(out),
      quiet_(quiet),
      bar_(!quiet && isatty(fileno(stderr)) && std::getenv("TERM") && std::string(std::getenv("TERM")) != "dumb") {}

namespace {

// The terminal's width: stderr's window size, else $COLUMNS, else 80.
int terminal_columns() {
  winsize ws{};
  if (ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const int n = std::atoi(c);
    if (n > 0) return n;
  }
  return 80;
}

std::string compact_rate(double rate) {
  char s[32];
  if (rate >= 1e6)
    std::snprintf(s, sizeof s, "%.2fM", rate / 1e6);
  else if (rate >= 1e4)
    std::snprintf(s, sizeof s, "%.1fk", rate / 1e3);
  else
    std::snprintf(s, sizeof s, "%.0f", rate);
  return s;
}

}  // namespace

std::string bar_text(const std::string& label, int epoch, int epochs, long done, long total, double rate, double loss,
                     double eta, int columns) {
  char head[64], tail[160];
  std::snprintf(head, sizeof head, "epoch %d/%d ", epoch, epochs);
  std::snprintf(tail, sizeof tail, " %ld/%ld  %s samples/s  loss %.4f  ETA %.1fs", done, total,
                compact_rate(rate).c_str(), loss, eta);
  const long room = static_cast<long>(columns) - 1;
  const long fixed = static_cast<long>(label.size() + std::string(head).size() + std::string(tail).size());
  const long width = std::min(30L, room - fixed - 2);  // 2: the brackets
  std::string text = label + head;
  if (width >= 5) {
    const long filled = width * done / std::max(total, 1L);
    text += "[" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(width - filled), '.') + "]";
  } else {
    text.pop_back();  // no bar: the space before it goes too
  }
  text += tail;
  if (room > 0 && static_cast<long>(text.size()) > room) text.resize(static_cast<std::size_t>(room));
  return text;
}

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
  std::fprintf(stderr, "\r\033[K%s",
               bar_text(label_, epoch, epochs, done, total, rate, loss, eta, terminal_columns()).c_str());
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
