#include "mri/volume.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "common/error.hpp"

namespace gbmsweep::mri {

Volume::Volume(std::array<int, 3> shape_, std::array<double, 3> spacing_, float fill)
    : shape(shape_), spacing(spacing_), data(size(), fill) {}

Box union_box(const Box& a, const Box& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  Box u;
  for (int i = 0; i < 3; ++i) {
    u.lo[i] = std::min(a.lo[i], b.lo[i]);
    u.hi[i] = std::max(a.hi[i], b.hi[i]);
  }
  return u;
}

std::string to_string(const Box& b) {
  std::ostringstream os;
  for (int i = 0; i < 3; ++i) os << (i ? "," : "") << b.lo[i] << ":" << b.hi[i];
  return os.str();
}

Box parse_box(const std::string& text) {
  Box b;
  std::istringstream is(text);
  for (int i = 0; i < 3; ++i) {
    char colon = 0, comma = 0;
    if (!(is >> b.lo[i] >> colon >> b.hi[i]) || colon != ':' || (i < 2 && (!(is >> comma) || comma != ',')))
      throw std::invalid_argument("expected z0:z1,y0:y1,x0:x1, got '" + text + "'");
  }
  if (!is.eof() && is.peek() != EOF) throw std::invalid_argument("trailing text in box '" + text + "'");
  if (b.empty() || b.lo[0] < 0 || b.lo[1] < 0 || b.lo[2] < 0)
    throw std::invalid_argument("box '" + text + "' is empty or negative");
  return b;
}

std::string to_string(const std::array<int, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

Volume Batch::channel(int n, int c) const {
  Volume v({shape[2], shape[3], shape[4]});
  auto first = data.begin() + static_cast<std::ptrdiff_t>(n * sample_size() + c * v.size());
  std::copy(first, first + static_cast<std::ptrdiff_t>(v.size()), v.data.begin());
  return v;
}

void Batch::set_channel(int n, int c, const Volume& v) {
  GBM_CHECK((v.shape == std::array<int, 3>{shape[2], shape[3], shape[4]}),
            "channel of shape " << to_string(v.shape) << " does not fit batch of "
                                << shape[2] << "x" << shape[3] << "x" << shape[4]);
  std::copy(v.data.begin(), v.data.end(),
            data.begin() + static_cast<std::ptrdiff_t>(n * sample_size() + c * v.size()));
}

const std::vector<std::string>& modality_names() {
  static const std::vector<std::string> names = {
      "T1", "T1GD", "T2", "FLAIR", "DTI_AD", "DTI_FA", "DTI_RD", "DTI_TR",
      "DSC_ap-rCBV", "DSC_PH", "DSC_PSR"};
  return names;
}

int modality_index(const std::string& name) {
  const auto& n = modality_names();
  auto it = std::find(n.begin(), n.end(), name);
  return it == n.end() ? -1 : static_cast<int>(it - n.begin());
}

Group group_of(const std::string& modality) {
  int i = modality_index(modality);
  if (i < 0) throw std::invalid_argument("unknown modality '" + modality + "'");
  return i < 4 ? Group::Structural : i < 8 ? Group::DTI : Group::DSC;
}

const char* group_name(Group g) {
  switch (g) {
    case Group::Structural: return "Struct";
    case Group::DTI: return "DTI";
    case Group::DSC: return "DSC";
  }
  return "?";
}

}  // namespace gbmsweep::mri
