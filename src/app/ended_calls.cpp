#include "app/ended_calls.hpp"

#include "voice/calls/call_records.hpp"
#include "voice/calls/call_status.hpp"

namespace irisx::app {

boost::asio::awaitable<void> EndedCalls::save(voice::CallRecord record) {
  // Only the leg that came in on the number: legs dialled for it have a parent and no number.
  const bool on_number = !record.number.empty() && !record.tenant_id.empty() &&
                         record.direction == "inbound" && record.parent_call_id.empty();
  co_await db_.transaction([&](store::Session& tx) -> boost::asio::awaitable<void> {
    co_await voice::save_call_record(tx, record);
    if (!on_number) co_return;
    events::Event event = co_await publisher_.record(tx, record.tenant_id, "call.completed",
                                                     voice::call_completed_data(record));
    if (!record.status_callback.empty()) {
      co_await callbacks_.enqueue(tx, event, record.status_callback);
    }
  });
}

}  // namespace irisx::app
