-- wrk script: POST /v1/traces with the bundled healthcare traces (54 a request), every trace
-- id made unique per thread and request so that each one is queued and evaluated (the queue
-- is idempotent by id: repeated ids would be evaluated once).
local threads = {}
local counter = 0
local lines = {}
-- `tid` is a global that setup() gives each thread (thread:set): a local here would hide it,
-- and every thread would send the same ids.

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("AEGIS_BENCH_TRACES") or "examples/traces/healthcare.jsonl"))
  for line in f:lines() do
    if #line > 0 then table.insert(lines, line) end
  end
  f:close()
  wrk.method = "POST"
  wrk.path = "/v1/traces"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("AEGIS_BENCH_KEY")
  wrk.headers["Content-Type"] = "application/x-ndjson"
end

function request()
  counter = counter + 1
  local prefix = tid .. "-" .. counter .. "-"
  local out = {}
  for i, line in ipairs(lines) do
    out[i] = line:gsub('"id": "', '"id": "' .. prefix, 1)
  end
  return wrk.format(nil, nil, nil, table.concat(out, "\n"))
end
