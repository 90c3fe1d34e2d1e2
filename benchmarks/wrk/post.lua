-- POST /-/documents/ with a new document: expects 201.
dofile(string.match(debug.getinfo(1, "S").source, "^@(.*/)") .. "common.lua")

local text = "Written by wrk to measure creation: a body of a few hundred bytes, as the seeded " ..
  "documents have, with a title, a status, tags and nested attributes beside it. "

function init(args)
  bench_init()
  headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"title": "Created by wrk %d-%d", "body": "%s%s", "status": "draft", ' ..
    '"tags": ["bench", "wrk"], "attributes": {"language": "en", "priority": 3}}',
    tid or 1, counter, text, text)
  return wrk.format("POST", "/-/documents/", headers, body)
end
