// `gbmsweep weights FILE --depth D [--width W] [--json]`: reads a MedicalNet checkpoint as
// published (legacy or zip torch.save) and checks it against the network.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "models/weights.hpp"

namespace gbmsweep::cli {

int cmd_weights(const Args& args) {
  std::string path;
  int depth = 50, width = 64, channels = 1;
  bool json = false;
  po::options_description opts("weights options");
  opts.add_options()
      ("file", po::value(&path)->required(), "the .pth file (legacy or zip torch.save)")
      ("depth", po::value(&depth)->required(), "ResNet depth: 10, 18, 34 or 50")
      ("width", po::value(&width)->default_value(width), "planes of layer1 (MedicalNet: 64)")
      ("channels", po::value(&channels)->default_value(channels),
       "input channels (conv1 is inflated from MedicalNet's 1)")
      ("json", po::bool_switch(&json), "print the report as JSON");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_command_line("weights", "FILE --depth D [--width W] [--channels C] [--json]", args,
                          opts, pos, vm))
    return 0;
  if (depth != 10 && depth != 18 && depth != 34 && depth != 50)
    throw UsageError{"--depth must be 10, 18, 34 or 50"};
  if (width < 1 || channels < 1) throw UsageError{"--width and --channels must be >= 1"};
  const auto c = models::check_medicalnet_weights(path, depth, width, channels);
  if (json) {
    nlohmann::json j = {{"format", c.format},         {"loaded", c.loaded},
                        {"dropped", c.dropped},       {"missing", c.missing},
                        {"unexpected", c.unexpected}, {"classifier", c.classifier},
                        {"ignored", c.ignored},       {"inflated", c.inflated}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += " " + x;
    return s.empty() ? std::string(" -") : s;
  };
  std::cout << path << ": " << c.format << " format, " << c.loaded << " tensors loaded into "
            << "ResNet" << depth << " (width " << width << ")\n"
            << "  missing backbone keys:" << list(c.missing) << "\n"
            << "  unexpected keys:" << list(c.unexpected) << "\n"
            << "  dropped (conv_seg):" << list(c.dropped) << "\n"
            << "  new classifier:" << list(c.classifier) << "\n"
            << "  other entries ignored:" << list(c.ignored) << "\n";
  return 0;
}

}  // namespace gbmsweep::cli
