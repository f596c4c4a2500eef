#include "store/sqlite/sqlite_checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "common/log.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace irisx::store::sqlite {

Checkpointer::Checkpointer(const std::string& path, int threshold_pages)
    : conn_(std::make_unique<Connection>(path)), threshold_pages_(threshold_pages) {
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Checkpointer::wal_grew(int pages) {
  {
    std::lock_guard lock(mutex_);
    if (pages < checkpointed_pages_) checkpointed_pages_ = 0;  // the writer restarted the WAL
    if (due_ || pages - checkpointed_pages_ < threshold_pages_) return;
    due_ = true;
    due_pages_ = pages;
  }
  wake_.notify_one();
}

void Checkpointer::run() {
  for (;;) {
    bool stopping = false;
    int pages = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return due_ || stopping_; });
      stopping = stopping_;
      pages = due_pages_;
    }
    try {
      conn_->checkpoint();
    } catch (const std::exception& e) {
      // The WAL keeps every frame until a later checkpoint succeeds; nothing is lost.
      log::get("store")->warn("SQLite checkpoint failed: {}", e.what());
    }
    {
      std::lock_guard lock(mutex_);
      checkpointed_pages_ = pages;
      due_ = false;
    }
    if (stopping) return;
  }
}

}  // namespace irisx::store::sqlite
