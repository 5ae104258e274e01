// The atomic file write (files.hpp): temporary file, write, fsync, rename, fsync the directory.
#include "mlp/io/files.hpp"

#include "mlp/error.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlp {

namespace {

// Creates PATH.tmp-XXXXXX exclusively (never an existing file); returns its descriptor or −1.
int create_temp(const std::string& path, std::string& temp) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = path + ".tmp-";
    for (int i = 0; i < 6; ++i) temp += kChars[random() % 36];
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text, const std::string& failure) {
  std::string temp;
  int fd = create_temp(path, temp);
  if (fd < 0) throw Error(path + ": " + failure + ": cannot create " + temp + ": " + std::strerror(errno));
  auto fail = [&](const std::string& step) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw Error(path + ": " + failure + ": " + step + ": " + std::strerror(err));
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing " + temp);
    done += static_cast<std::size_t>(n);
  }
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) ::fchmod(fd, existing.st_mode & 07777);
  if (::fsync(fd) != 0) fail("flushing " + temp + " to disk");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("closing " + temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("renaming " + temp + " to " + path);

  // Make the rename itself durable. Best effort: the file is complete either way.
  const int dir_fd = ::open(parent_directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace mlp
