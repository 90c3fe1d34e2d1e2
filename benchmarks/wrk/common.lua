-- Shared by the scenario scripts of benchmarks/run.py (each scenario script
-- loads it with dofile, then defines request() and, if it needs to, response()).
--
-- Environment, set by run.py:
--   BENCH_COOKIE    value of the Cookie header (the session cookie)
--   BENCH_CSRF      the session's CSRF token, sent as X-CSRF-Token
--   BENCH_AUTHORIZATION  an Authorization header (an API key) sent instead of both
--   BENCH_IDS       file with one document id per line
--   BENCH_ETAGS     file with "id<TAB>etag" per line
--   BENCH_PATH      path of the list scenarios
--   BENCH_THREADS   wrk's -t, so that threads take disjoint slices of the ids
--   BENCH_DELAY_MS  if set, each connection waits this long before each request:
--                   a load offered at a fixed rate rather than as fast as answered
--
-- done() prints one line starting with BENCH_RESULT, which run.py parses:
-- requests, req/s, p50/p90/p99/max latency in ms, and the count of each
-- HTTP status, so that an unexpected status is never hidden in a rate.

local threads = {}

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if delay_ms then
  function delay()
    return delay_ms
  end
end

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function bench_lines(path)
  local out = {}
  if not path or path == "" then return out end
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

-- This thread's share of a file's lines: every BENCH_THREADS-th, from its own offset.
function bench_slice(lines)
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local out = {}
  for i, line in ipairs(lines) do
    if (i - 1) % n == (tid or 1) - 1 then table.insert(out, line) end
  end
  return out
end

function bench_pairs(lines)
  local out = {}
  for _, line in ipairs(lines) do
    local id, tag = string.match(line, "^([^\t]+)\t(.+)$")
    if id then table.insert(out, {id, tag}) end
  end
  return out
end

function bench_init()
  codes = {}
  counter = 0
  math.randomseed(os.time() + (tid or 1) * 7919)
  local authorization = os.getenv("BENCH_AUTHORIZATION") or ""
  if authorization ~= "" then
    headers = {["Accept"] = "application/json", ["Authorization"] = authorization}
  else
    headers = {
      ["Accept"] = "application/json",
      ["Cookie"] = os.getenv("BENCH_COOKIE") or "",
      ["X-CSRF-Token"] = os.getenv("BENCH_CSRF") or "",
    }
  end
end

function init(args)
  bench_init()
end

function bench_count(status)
  codes[status] = (codes[status] or 0) + 1
end

function response(status, hdrs, body)
  bench_count(status)
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("codes") or {}) do all[code] = (all[code] or 0) + n end
  end
  local keys = {}
  for code in pairs(all) do table.insert(keys, code) end
  table.sort(keys)
  local parts = {}
  for _, code in ipairs(keys) do table.insert(parts, code .. ":" .. all[code]) end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "socket_errors=%d codes=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.timeout,
    #parts > 0 and table.concat(parts, ",") or "-"))
end
