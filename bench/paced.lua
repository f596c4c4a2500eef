-- Fixed-rate load for wrk (appended to a bench's request script, which first sets paced_rate,
-- requests per second over all connections). Each time a connection is ready for its next
-- request, delay() gives it the next slot of one schedule: slot k is start + k / paced_rate.
-- A constant per-connection delay (wrk's usual delay()) offers less than asked as soon as
-- responses slow down (12 connections waiting 10 ms offered ~740 POST/s, not 1,000); here the
-- rate holds as long as a free connection is there for each slot, and a connection that comes
-- back late takes an overdue slot at once. wrk has no wall clock for scripts, so the monotonic
-- clock is read through LuaJIT's FFI.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } irisx_timespec;
int clock_gettime(int clock_id, irisx_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local now = ffi.new("irisx_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local interval_ms = 1000 / paced_rate
local next_slot = nil

function delay()
  local t = now_ms()
  next_slot = (next_slot or t) + interval_ms
  if next_slot <= t then
    return 0
  end
  -- wrk takes whole milliseconds; the slots stay exact, so rounding moves a request by less
  -- than a millisecond without changing the rate.
  return math.floor(next_slot - t)
end
