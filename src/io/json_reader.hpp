// Typed reading of a parsed JSON document for the model and checkpoint loaders: every accessor
// checks the type, the length and the range, and every failure names the file and the place in it.
#pragma once

#include "mlp/error.hpp"
#include "mlp/types.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace mlp {
inline namespace MLP_SCALAR_NAMESPACE {
namespace io_detail {

using json = nlohmann::json;

// Typed access to a parsed document. `where` is the place in the document ("layers[1].weight"),
// so every message reads "PATH: layers[1].weight: what is wrong".
struct Reader {
  const std::string& path;

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(path + ": " + (where.empty() ? "" : where + ": ") + what);
  }
  // Runs an engine call (parse_activation, add_dropout, ...) and puts the place before its Error.
  template <class F>
  decltype(auto) engine(const std::string& where, F call) const {
    try {
      return call();
    } catch (const Error& e) {
      fail(where, e.what());
    }
  }

  const json& field(const json& object, const std::string& where, const char* key) const {
    if (!object.is_object()) fail(where, std::string("expected an object, found ") + object.type_name());
    const auto it = object.find(key);
    if (it == object.end()) fail(where, std::string("missing field \"") + key + "\"");
    return *it;
  }
  std::string text(const json& v, const std::string& where) const {
    if (!v.is_string()) fail(where, std::string("expected a string, found ") + v.type_name());
    return v.get<std::string>();
  }
  double number(const json& v, const std::string& where) const {
    if (!v.is_number())
      fail(where, std::string("expected a number, found ") + v.type_name() +
                      (v.is_null() ? " (NaN or infinity when saved?)" : ""));
    return v.get<double>();  // finite: the JSON parser accepts no NaN or infinity
  }
  Index count(const json& v, const std::string& where) const {
    const long long kMax = 1LL << 31;
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() >= kMax)
      fail(where, "expected a whole number from 1 to " + std::to_string(kMax - 1) + ", found " + v.dump());
    return static_cast<Index>(v.get<long long>());
  }
  // An array, of `expected` entries unless expected < 0; `why` explains the expected length.
  const json& array(const json& v, const std::string& where, Index expected = -1, const std::string& why = "") const {
    if (!v.is_array()) fail(where, std::string("expected an array, found ") + v.type_name());
    if (expected >= 0 && static_cast<Index>(v.size()) != expected)
      fail(where,
           "has " + std::to_string(v.size()) + " entries, expected " + std::to_string(expected) + " (" + why + ")");
    return v;
  }
  // Exactly `n` numbers, each finite as a Scalar (1e39 is a finite double but not a finite float).
  void scalars(const json& v, const std::string& where, Index n, const std::string& why, Scalar* out) const {
    array(v, where, n, why);
    for (Index i = 0; i < n; ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      const double x = number(v[static_cast<std::size_t>(i)], at);
      out[i] = static_cast<Scalar>(x);
      if (!std::isfinite(out[i]))
        fail(at, v[static_cast<std::size_t>(i)].dump() + " is out of range for a " +
                     (sizeof(Scalar) == 4 ? "float" : "double"));
    }
  }
  std::vector<std::string> strings(const json& v, const std::string& where) const {
    array(v, where);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(text(v[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }
  std::vector<double> doubles(const json& v, const std::string& where, std::size_t n, const std::string& why) const {
    array(v, where, static_cast<Index>(n), why);
    std::vector<double> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(number(v[i], where + "[" + std::to_string(i) + "]"));
    return out;
  }
};

}  // namespace io_detail
}  // namespace MLP_SCALAR_NAMESPACE
}  // namespace mlp
