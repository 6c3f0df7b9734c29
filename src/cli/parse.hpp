#pragma once
// Shared command-line plumbing: every subcommand parses through here, so that unknown options
// and missing arguments give one clear line and exit code 2 everywhere.
#include <boost/program_options.hpp>

#include <array>
#include <string>
#include <vector>

namespace gbmsweep::cli {

namespace po = boost::program_options;

// Thrown for bad command lines; main prints "gbmsweep <cmd>: <message>" and exits 2.
struct UsageError {
  std::string message;
};

// Parses `args` against `visible` options plus positional names. Returns false when --help was
// printed (the caller then returns 0).
bool parse_command_line(const std::string& command, const std::string& synopsis,
                        const std::vector<std::string>& args, po::options_description& visible,
                        const po::positional_options_description& positional,
                        po::variables_map& vm);

// "D,H,W" → {D, H, W} (positive); UsageError naming --`option` otherwise.
std::array<int, 3> parse_shape(const std::string& text, const char* option);

}  // namespace gbmsweep::cli
