-- PUT /-/documents/{id} {"title": ...} with If-Match: expects 200, every time.
--
-- Every PUT changes the document's ETag, so a list of ETags fetched beforehand
-- goes stale after one round. Instead each thread keeps a queue of the ids it
-- owns (a disjoint slice of BENCH_ETAGS, so no two threads write one document)
-- with their current ETags: request() takes the oldest, response() puts it
-- back with the ETag the PUT answered. An id is never in flight twice (it is
-- out of the queue until its answer), so no PUT can lose a race and get 412,
-- as long as a thread owns more ids than it has connections.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

function init(args)
  bench_init()
  headers["Content-Type"] = "application/json"
  queue = bench_pairs(bench_slice(bench_lines(os.getenv("BENCH_ETAGS"))))
  first, last = 1, #queue
  assert(last > 0, "BENCH_ETAGS is empty")
end

function request()
  assert(first <= last, "every id is in flight: give more ids than connections")
  local pair = queue[first]
  queue[first] = nil
  first = first + 1
  counter = counter + 1
  headers["If-Match"] = pair[2]
  local body = string.format('{"title": "Updated by wrk %d-%d"}', tid or 1, counter)
  return wrk.format("PUT", "/-/documents/" .. pair[1], headers, body)
end

function response(status, hdrs, body)
  bench_count(status)
  local id = string.match(body, '"id"%s*:%s*"([^"]+)"')
  local etag = hdrs["ETag"] or hdrs["Etag"] or hdrs["etag"]
  if status == 200 and id and etag then
    last = last + 1
    queue[last] = {id, etag}
  end
end
