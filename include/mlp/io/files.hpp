// Writing a file so that it is never seen half-written: the one way mlp writes every file it
// produces (models, histories, predictions, configs, data sets).
#pragma once

#include <string>

namespace mlp {

// Writes text to path atomically: to a temporary file in the same directory, flushed to disk
// (fsync), then renamed over PATH, and the directory flushed so that the rename survives a crash.
// The temporary file has no name while it is written (O_TMPFILE, where the file system has it), so
// a process killed meanwhile leaves nothing behind; it is named PATH.tmp-XXXXXX only once complete.
// An existing file at PATH is replaced whole or not at all, and keeps its permissions; a new one
// gets the usual 0666 less the umask. A symlink at PATH stays a link: the file it points to is
// replaced. A device, pipe or socket at PATH (/dev/null, /dev/stdout, a FIFO) is written to as
// it is, never replaced; a directory is an error. On any failure the temporary file is removed
// and mlp::Error says "PATH: FAILURE: what failed: why", FAILURE being e.g. "cannot save the model".
void write_file_atomically(const std::string& path, const std::string& text,
                           const std::string& failure = "cannot write");

}  // namespace mlp
