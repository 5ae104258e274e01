// What a user sees while training: on a terminal a progress bar per epoch (ETA, samples/s,
// running loss) redrawn in place; elsewhere (a pipe, CI) plain lines only, no control characters.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace mlp::app {

// The bar as drawn: "epoch 3/20 [#######.......] 512/1875  84.2k samples/s  loss 0.4123  ETA 1.2s",
// after the label, made to fit in columns - 1 characters (a line that wraps could not be redrawn
// in place): the bar narrows, then goes, then the text is cut.
std::string bar_text(const std::string& label, int epoch, int epochs, long done, long total, double rate, double loss,
                     double eta, int columns);

class Progress {
 public:
  // out: where epoch lines go; the bar is drawn on stderr, only when it is a terminal.
  Progress(std::FILE* out, bool quiet);
  // After each batch: epoch (1-based) of epochs, batches done of total, running loss, samples.
  void batch(int epoch, int epochs, long done, long total, double loss, long samples_done);
  // One line per epoch.
  void line(const std::string& text);
  // Put before the bar from now on, e.g. "run 3/8  " while --epochs auto tries its runs; "" for none.
  void label(std::string text) { label_ = std::move(text); }
  // Erases the bar, for a message of another kind (stderr) to start on a clean line.
  void clear();
  bool interactive() const { return bar_; }

 private:
  std::FILE* out_;
  std::string label_;
  bool quiet_, bar_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
  int epoch_ = 0;
};

}  // namespace mlp::app
