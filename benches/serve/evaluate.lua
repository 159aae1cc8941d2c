-- wrk script: POST /v1/evaluate with one healthcare trace (the guard in the request).
function init(args)
  local f = assert(io.open(os.getenv("AEGIS_BENCH_TRACE") or "/tmp/aegis-bench-one.json"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.path = "/v1/evaluate"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("AEGIS_BENCH_KEY")
  wrk.headers["Content-Type"] = "application/json"
end
