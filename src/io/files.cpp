// The atomic file write (files.hpp): unnamed temporary file, write, fsync, name, rename, fsync the directory;
// through a symlink to the file it names; straight into a device or a pipe.
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

std::string temp_name(const std::string& path) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  static std::random_device random;
  std::string temp = path + ".tmp-";
  for (int i = 0; i < 6; ++i) temp += kChars[random() % 36];
  return temp;
}

// Creates PATH.tmp-XXXXXX exclusively (never an existing file); returns its descriptor or −1.
int create_temp(const std::string& path, std::string& temp) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = temp_name(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

// Gives the unnamed file fd (O_TMPFILE) the name PATH.tmp-XXXXXX, for rename to move into place;
// false with errno set when it cannot.
bool link_temp(int fd, const std::string& path, std::string& temp) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = temp_name(path);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) == 0) return true;
    if (errno != EEXIST) return false;
  }
  return false;
}

std::string parent_directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// Where a write to `path` must land: the file a symlink points to (followed to its end, so that
// the link itself stays a link), else path itself.
std::string resolve_links(const std::string& path) {
  std::string target = path;
  for (int hops = 0; hops < 40; ++hops) {  // as the kernel's own limit on a chain of links
    struct stat link {};
    if (::lstat(target.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return target;
    std::string to(static_cast<std::size_t>(link.st_size > 0 ? link.st_size : 4096), '\0');
    const ssize_t n = ::readlink(target.c_str(), to.data(), to.size());
    if (n < 0) return target;
    to.resize(static_cast<std::size_t>(n));
    target = to.rfind('/', 0) == 0 ? to : parent_directory(target) + "/" + to;
  }
  return target;
}

// A device, a pipe or a socket (/dev/null, /dev/stdout, a FIFO a reader is waiting on) takes the
// bytes as they come: there is no file to replace, and renaming over it would replace the device.
void write_through(const std::string& path, const std::string& text, const std::string& failure) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": " + failure + ": " + std::strerror(errno));
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw Error(path + ": " + failure + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& requested, const std::string& text, const std::string& failure) {
  const std::string path = resolve_links(requested);
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode)) throw Error(requested + ": " + failure + ": it is a directory");
    if (!S_ISREG(existing.st_mode)) return write_through(path, text, failure);
  }
  const std::string dir = parent_directory(path);
  struct stat parent {};
  if (::stat(dir.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode))
    throw Error(requested + ": " + failure + ": the directory '" + dir + "' does not exist");
  // The bytes go to an unnamed file (O_TMPFILE) where the file system has them: a process killed
  // while writing leaves nothing behind. It gets a temporary name only once complete and flushed,
  // for the instant before the rename. Elsewhere, a named temporary file from the start.
  std::string temp;
  int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  const bool unnamed = fd >= 0;
  if (!unnamed && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) fd = create_temp(path, temp);
  if (fd < 0) throw Error(path + ": " + failure + ": cannot create a file in " + dir + ": " + std::strerror(errno));
  auto fail = [&](const std::string& step) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!temp.empty()) ::unlink(temp.c_str());
    throw Error(path + ": " + failure + ": " + step + ": " + std::strerror(err));
  };
  const std::string what = unnamed ? "a temporary file in " + dir : temp;
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing " + what);
    done += static_cast<std::size_t>(n);
  }
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) ::fchmod(fd, existing.st_mode & 07777);
  if (::fsync(fd) != 0) fail("flushing " + what + " to disk");
  if (unnamed && !link_temp(fd, path, temp)) {
    temp.clear();
    fail("naming " + what);
  }
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("closing " + temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) fail("renaming " + temp + " to " + path);

  // Make the rename itself durable. Best effort: the file is complete either way.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace mlp
