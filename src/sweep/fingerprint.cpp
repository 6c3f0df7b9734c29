#include "sweep/fingerprint.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/hash.hpp"

namespace gbmsweep::sweep {

namespace stdfs = std::filesystem;

namespace {
constexpr std::uintmax_t kChunk = 1 << 20;

std::string file_fingerprint(const stdfs::path& p) {
  Sha256 h;
  std::uintmax_t size = stdfs::file_size(p);
  h.update("size:" + std::to_string(size) + ";");
  std::ifstream in(p, std::ios::binary);
  std::vector<char> buf(static_cast<std::size_t>(std::min(size, kChunk)));
  in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
  h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  if (size > kChunk) {
    std::uintmax_t tail = std::min(kChunk, size - kChunk);
    in.seekg(static_cast<std::streamoff>(size - tail));
    buf.resize(static_cast<std::size_t>(tail));
    in.read(buf.data(), static_cast<std::streamsize>(tail));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.hex();
}
}  // namespace

std::string fingerprint_path(const std::string& path) {
  std::error_code ec;
  stdfs::path root(path);
  if (!stdfs::exists(root, ec)) return "absent";
  if (stdfs::is_regular_file(root, ec)) return file_fingerprint(root);
  std::vector<std::pair<std::string, std::string>> entries;
  for (auto it = stdfs::recursive_directory_iterator(root, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    auto name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file())
      entries.emplace_back(stdfs::relative(it->path(), root).string(), file_fingerprint(it->path()));
  }
  std::sort(entries.begin(), entries.end());
  Sha256 h;
  for (const auto& [rel, fp] : entries) h.update(rel + "\n" + fp + "\n");
  return h.hex();
}

}  // namespace gbmsweep::sweep
