#pragma once

namespace irisx::app {

// `irisx serve | migrate | admin create-operator | version`.
int run_cli(int argc, char** argv);

}  // namespace irisx::app
