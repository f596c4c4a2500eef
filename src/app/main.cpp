#include "app/cli.hpp"

int main(int argc, char** argv) {
  return irisx::app::run_cli(argc, argv);
}
