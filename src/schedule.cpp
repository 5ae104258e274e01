// Learning-rate schedules: constant, step decay, exponential decay, cosine annealing.
#include "mlp/schedule.hpp"

#include "mlp/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mlp {

const std::vector<ScheduleInfo>& schedules() {
  static const std::vector<ScheduleInfo> table = {
      {"constant", "constant", "lr", 0, {0, 0}, [](double lr0, int, int, const double*) { return lr0; }},
      {"step",
       "step[:EVERY[:FACTOR]]",
       "lr * FACTOR^floor(epoch / EVERY)   (defaults 10, 0.5)",
       2,
       {10, 0.5},
       [](double lr0, int e, int, const double* p) { return lr0 * std::pow(p[1], std::floor(e / p[0])); }},
      {"exponential",
       "exponential[:GAMMA]",
       "lr * GAMMA^epoch   (default 0.95)",
       1,
       {0.95, 0},
       [](double lr0, int e, int, const double* p) { return lr0 * std::pow(p[0], e); }},
      {"cosine",
       "cosine[:MIN_LR]",
       "MIN_LR + (lr - MIN_LR) * (1 + cos(pi * epoch / epochs)) / 2   (default 0)",
       1,
       {0, 0},
       [](double lr0, int e, int epochs, const double* p) {
         const double pi = 3.14159265358979323846;
         return p[0] + (lr0 - p[0]) * 0.5 * (1.0 + std::cos(pi * e / std::max(1, epochs)));
       }},
  };
  return table;
}

std::string schedule_names() {
  std::string s;
  for (const auto& i : schedules()) s += (s.empty() ? "" : ", ") + std::string(i.syntax);
  return s;
}

std::string Schedule::spec() const {
  std::string s = info->name;
  for (int i = 0; i < info->params; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ":%.9g", p[i]);
    s += buf;
  }
  return s;
}

Schedule parse_schedule(const std::string& spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(spec.substr(start, colon - start));
  parts.push_back(spec.substr(start));
  Schedule s;
  for (const auto& i : schedules())
    if (parts[0] == i.name) s.info = &i;
  if (!s.info) throw Error("unknown learning-rate schedule '" + parts[0] + "'; valid: " + schedule_names());
  if (static_cast<int>(parts.size()) - 1 > s.info->params)
    throw Error("learning-rate schedule '" + spec + "': expected " + s.info->syntax);
  for (int i = 0; i < s.info->params; ++i) {
    s.p[i] = s.info->defaults[i];
    if (i + 1 >= static_cast<int>(parts.size())) continue;
    const std::string& t = parts[i + 1];
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), s.p[i]);
    if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(s.p[i]) || s.p[i] < 0)
      throw Error("learning-rate schedule '" + spec + "': '" + t + "' is not a non-negative number; expected " +
                  s.info->syntax);
  }
  if (s.info->name == std::string("step") && s.p[0] < 1) throw Error("step schedule: EVERY must be >= 1 epoch");
  return s;
}

}  // namespace mlp
