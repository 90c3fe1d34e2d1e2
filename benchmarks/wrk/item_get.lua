-- GET /-/documents/{id}, the id drawn at random from BENCH_IDS: expects 200.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function init(args)
  bench_init()
  ids = bench_lines(os.getenv("BENCH_IDS"))
  assert(#ids > 0, "BENCH_IDS is empty")
end

function request()
  return wrk.format("GET", "/-/documents/" .. ids[math.random(#ids)], headers)
end
