// Running the built `mlp` in a fresh temporary directory and reading what it did: shared by the
// command-line test files (test_cli*.cpp), which MLP_BINARY and MLP_SOURCE_DIR are defined for.
#pragma once

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include "test_util.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#ifndef MLP_BINARY
#error "MLP_BINARY (path of the mlp executable) must be defined by the build"
#endif
#ifndef MLP_SOURCE_DIR
#error "MLP_SOURCE_DIR (the source tree, for datasets/) must be defined by the build"
#endif

namespace cli {

using json = nlohmann::json;
namespace fs = std::filesystem;

inline const std::string kIris = std::string(MLP_SOURCE_DIR) + "/datasets/iris.csv";
inline const std::string kBreastCancer = std::string(MLP_SOURCE_DIR) + "/datasets/breast_cancer.csv";
inline const std::string kDiabetes = std::string(MLP_SOURCE_DIR) + "/datasets/diabetes.csv";

struct Run {
  int status;       // exit code, or 128 + signal number if the process was killed by a signal
  std::string out;  // stdout (a pipe, so never a terminal)
  std::string err;  // stderr (a file, so never a terminal)
};

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) v.push_back(line);
  return v;
}

inline std::vector<std::string> split(const std::string& line, char sep = ',') {
  std::vector<std::string> v;
  std::stringstream in(line);
  std::string f;
  while (std::getline(in, f, sep)) v.push_back(f);
  if (!line.empty() && line.back() == sep) v.push_back("");
  return v;
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `mlp ARGS` (ARGS split by /bin/sh) in directory `cwd`, stdin from /dev/null.
inline Run run_mlp(const std::string& args, const std::string& cwd) {
  char err_name[] = "/tmp/mlp_cli_stderr_XXXXXX";
  const int err_fd = ::mkstemp(err_name);
  REQUIRE(err_fd >= 0);
  ::unlink(err_name);  // the open descriptor keeps it readable
  int pipe_fd[2];
  REQUIRE(::pipe(pipe_fd) == 0);
  const std::string command = "exec " + shell_quote(MLP_BINARY) + " " + args;
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (::chdir(cwd.c_str()) != 0 || null_fd < 0) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(pipe_fd[1], 1);
    ::dup2(err_fd, 2);
    ::close(pipe_fd[0]);
    ::close(pipe_fd[1]);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fd[1]);
  Run r{0, "", ""};
  char buf[65536];
  for (ssize_t n; (n = ::read(pipe_fd[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fd[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  ::lseek(err_fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(err_fd, buf, sizeof buf)) > 0;) r.err.append(buf, static_cast<std::size_t>(n));
  ::close(err_fd);
  return r;
}

// A fresh directory per test, removed with everything in it at the end; mlp runs inside it, so
// error messages name files as the test wrote them ("missing.csv:3:4: ...").
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mlp_test_cli_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
  bool exists(const std::string& name) const { return fs::exists(path / name); }
  void write(const std::string& name, const std::string& text) const { write_text(file(name), text); }
  std::string read(const std::string& name) const { return read_text(file(name)); }
  Run mlp(const std::string& args) const { return run_mlp(args, path.string()); }
  // Files whose name starts with `prefix`: the file itself and any "PREFIX.tmp-XXXXXX" left over.
  std::vector<std::string> files_starting(const std::string& prefix) const {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(path))
      if (e.path().filename().string().rfind(prefix, 0) == 0) found.push_back(e.path().filename().string());
    return found;
  }
};

// The whole of stdout as one JSON object, failing the test if it is anything else.
inline json parse_json(const Run& r) {
  INFO("stdout: ", r.out);
  INFO("stderr: ", r.err);
  json j;
  CHECK_NOTHROW(j = json::parse(r.out));
  CHECK(j.is_object());
  return j.is_object() ? j : json::object();
}

// Every error ends with status 1, a malformed command line too (main.cpp); anything else is a bug:
// 3 is mlp's "internal error", 100-127 CLI11's own codes leaking through, 128 and above a signal
// (a crash or an abort).
inline bool user_error_status(int status) { return status == 1; }

inline std::string describe(const std::string& command, const Run& r) {
  return "mlp " + command + "\n  status: " + std::to_string(r.status) + "\n  stderr: " + r.err;
}

// Checks one rejected command: status, the problem words, the FILE:LINE:COLUMN location (an
// ECMAScript regex, empty where no single cell is at fault).
inline void check_rejected(const std::string& command, const Run& r, const std::vector<std::string>& words,
                           const std::string& where) {
  INFO(describe(command, r));
  CHECK(r.status != 0);
  CHECK(r.status < 128);  // not killed by a signal
  CHECK(user_error_status(r.status));
  for (const auto& w : words) CHECK_MESSAGE(contains(r.err, w), "stderr should mention: ", w);
  if (!where.empty())
    CHECK_MESSAGE(std::regex_search(r.err, std::regex(where)), "stderr should locate the cell: ", where);
}

}  // namespace cli
