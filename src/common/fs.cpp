#include "common/fs.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace gbmsweep::fs {

namespace {

[[noreturn]] void write_failed(const std::string& path, const std::string& tmp, int fd, int err,
                               std::size_t bytes) {
  if (fd >= 0) ::close(fd);
  ::unlink(tmp.c_str());
  if (err == ENOSPC || err == EDQUOT) {
    struct statvfs sv {};
    std::ostringstream os;
    os << path << ": No space left on device while writing it (" << bytes / 1024
       << " KiB to write";
    if (::statvfs(std::filesystem::path(path).parent_path().c_str(), &sv) == 0)
      os << ", " << static_cast<unsigned long long>(sv.f_bavail) * sv.f_frsize / 1024
         << " KiB free on its file system";
    os << ")";
    throw StorageError(os.str(), __FILE__, __LINE__);
  }
  GBM_THROW("cannot write " << tmp << ": " << std::strerror(err));
}

}  // namespace

void atomic_write(const std::string& path, const std::string& bytes, bool sync) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) write_failed(path, tmp, -1, errno, bytes.size());
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) write_failed(path, tmp, fd, errno, bytes.size());
    off += static_cast<std::size_t>(n);
  }
  // On NFS and quota'd file systems the refusal may come only at fsync or close.
  if (sync && ::fsync(fd) != 0) write_failed(path, tmp, fd, errno, bytes.size());
  if (::close(fd) != 0) write_failed(path, tmp, -1, errno, bytes.size());
  GBM_CHECK(::rename(tmp.c_str(), path.c_str()) == 0,
            "cannot rename " << tmp << " to " << path << ": " << std::strerror(errno));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open file");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

void make_dirs(const std::string& path) { std::filesystem::create_directories(path); }

}  // namespace gbmsweep::fs
