// Learning-rate schedules, in one table: the rate for each epoch from the initial one.
#pragma once

#include <string>
#include <vector>

namespace mlp {

struct ScheduleInfo {
  const char* name;
  const char* syntax;  // "step:EVERY:FACTOR"
  const char* formula;
  int params;  // how many numbers follow the name
  double defaults[2];
  // lr at 0-based epoch e of `epochs`, from lr0 and the parameters.
  double (*rate)(double lr0, int e, int epochs, const double* p);
};

const std::vector<ScheduleInfo>& schedules();
std::string schedule_names();

struct Schedule {
  const ScheduleInfo* info = nullptr;
  double p[2] = {0, 0};
  double rate(double lr0, int epoch, int epochs) const { return info->rate(lr0, epoch, epochs, p); }
  std::string spec() const;
};

// "constant", "step:10:0.5", "exponential:0.95", "cosine", "cosine:1e-4"; throws mlp::Error.
Schedule parse_schedule(const std::string& spec);

}  // namespace mlp
