-- GET the first page of 20 of the collection, newest first, with its count: expects 200.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

local path = os.getenv("BENCH_PATH") or "/-/documents/?page_size=20"

function request()
  return wrk.format("GET", path, headers)
end
