#pragma once
#include <string>

namespace irisx::testing {

// A fresh directory under the system temp dir, named <prefix>-XXXXXX; the caller removes it.
std::string make_temp_dir(const std::string& prefix);

}  // namespace irisx::testing
