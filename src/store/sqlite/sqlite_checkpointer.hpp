#pragma once
// Copies the WAL back into the database file on a thread of its own, so the writer thread
// never pays for it inside a commit (SQLite's automatic checkpoint runs in the committing
// thread). The writer reports the WAL's size after each commit; once `threshold_pages` more
// than at the last checkpoint are in it, the checkpointer wakes and runs a PASSIVE checkpoint,
// which does not block the writer. (SQLite's own runs after every commit while the WAL is
// over the threshold, which it stays under load: readers keep the WAL from restarting, so
// that was an fsync of the database file per commit.)
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace irisx::store::sqlite {

class Connection;

class Checkpointer {
 public:
  Checkpointer(const std::string& path, int threshold_pages);
  ~Checkpointer();  // a last checkpoint, then the thread ends
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer after each commit with the number of pages in the WAL.
  void wal_grew(int pages);

 private:
  void run();

  std::unique_ptr<Connection> conn_;
  int threshold_pages_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  int due_pages_ = 0;           // WAL size when the pending checkpoint was asked for
  int checkpointed_pages_ = 0;  // WAL size at the last checkpoint
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace irisx::store::sqlite
