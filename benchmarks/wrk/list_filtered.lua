-- GET the first page of 20 of a filtered and ordered list, with its count: expects 200.
-- run.py sets BENCH_PATH (a filter on status and created, ordered by title).
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

local path = os.getenv("BENCH_PATH") or "/-/documents/?status=published&ordering=-title&page_size=20"

function request()
  return wrk.format("GET", path, headers)
end
