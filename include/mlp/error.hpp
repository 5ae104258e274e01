// The one exception type mlp throws for anything a user can fix: a bad option, a bad file,
// an unknown activation. Its message is meant to be printed as is.
#pragma once

#include <stdexcept>
#include <string>

namespace mlp {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mlp
