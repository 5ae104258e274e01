// The parsers of what a user types after --activation/--layers, --loss, --lr-schedule and --init,
// on any text: a result or an mlp::Error, nothing else. The first byte picks the parser.
#include "mlp/activation.hpp"
#include "mlp/error.hpp"
#include "mlp/init.hpp"
#include "mlp/loss.hpp"
#include "mlp/schedule.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string spec(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: {
        const mlp::Activation a = mlp::parse_activation(spec);
        (void)mlp::parse_activation(a.spec());  // the canonical form parses back
        break;
      }
      case 1: {
        const mlp::Loss l = mlp::parse_loss(spec);
        (void)mlp::parse_loss(l.spec());
        break;
      }
      case 2: {
        const mlp::Schedule s = mlp::parse_schedule(spec);
        for (int epoch : {0, 1, 7, 99}) (void)s.rate(0.01, epoch, 100);
        (void)mlp::parse_schedule(s.spec());
        break;
      }
      default:
        (void)mlp::parse_init(spec);
    }
  } catch (const mlp::Error&) {
  }
  return 0;
}
