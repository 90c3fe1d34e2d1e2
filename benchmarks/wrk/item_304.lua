-- GET /-/documents/{id} with If-None-Match of its current ETag (BENCH_ETAGS): expects 304.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function init(args)
  bench_init()
  tags = bench_pairs(bench_lines(os.getenv("BENCH_ETAGS")))
  assert(#tags > 0, "BENCH_ETAGS is empty")
end

function request()
  local pair = tags[math.random(#tags)]
  headers["If-None-Match"] = pair[2]
  return wrk.format("GET", "/-/documents/" .. pair[1], headers)
end
