-- wrk script: POST OTLP/HTTP protobuf bodies made by benches/otlp/make_bodies.py, cycling
-- through them. Every request's ids are made unique: bytes 0..3 of every trace, span and
-- parent id (at the byte offsets in offsets.txt, the same in every body) are stamped with the
-- wrk thread and the pass over the bodies; make_bodies.py made the ids unique in their other
-- bytes. So no two requests, from any thread, carry the same trace or span (a repeated trace id
-- would be refused by Aegis once its trace was queued, and a repeated span dropped by Phoenix).
--
-- Environment:
--   OTLP_BENCH_BODIES  the directory of bodies (index.txt, offsets.txt, *.pb)
--   OTLP_BENCH_PATH    the path to POST to (default /otlp/v1/traces)
--   OTLP_BENCH_KEY     if set: Authorization: Bearer <key>
--   OTLP_BENCH_DOMAIN  if set: x-aegis-domain: <domain>
local threads = {}
-- `tid` is a global that setup() gives each thread (thread:set): a local would hide it.
local counter = 0
local bodies = {} -- per body: its pieces between the stamped ids
local parts = {}  -- a request's pieces, interleaved with the stamp

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local function read(path, mode)
  local f = assert(io.open(path, mode or "r"))
  local s = f:read("*a")
  f:close()
  return s
end

function init(args)
  local dir = assert(os.getenv("OTLP_BENCH_BODIES"), "OTLP_BENCH_BODIES is not set")
  local offsets = {}
  for line in read(dir .. "/offsets.txt"):gmatch("[^\n]+") do
    table.insert(offsets, tonumber(line))
  end
  for name in read(dir .. "/index.txt"):gmatch("[^\n]+") do
    local data = read(dir .. "/" .. name, "rb")
    local pieces, at = {}, 1 -- Lua strings count from 1, offsets from 0
    for _, off in ipairs(offsets) do
      table.insert(pieces, data:sub(at, off))
      at = off + 5 -- past the 4 stamped bytes
    end
    table.insert(pieces, data:sub(at))
    table.insert(bodies, pieces)
  end
  assert(#bodies > 0, "no bodies in " .. dir)
  wrk.method = "POST"
  wrk.path = os.getenv("OTLP_BENCH_PATH") or "/otlp/v1/traces"
  wrk.headers["Content-Type"] = "application/x-protobuf"
  local key = os.getenv("OTLP_BENCH_KEY")
  if key and #key > 0 then wrk.headers["Authorization"] = "Bearer " .. key end
  local domain = os.getenv("OTLP_BENCH_DOMAIN")
  if domain and #domain > 0 then wrk.headers["x-aegis-domain"] = domain end
end

function request()
  local pieces = bodies[counter % #bodies + 1]
  local pass = math.floor(counter / #bodies)
  counter = counter + 1
  local stamp = string.char(tid % 256, math.floor(pass / 65536) % 256,
    math.floor(pass / 256) % 256, pass % 256)
  local n = #pieces
  for i = 1, n - 1 do
    parts[2 * i - 1] = pieces[i]
    parts[2 * i] = stamp
  end
  parts[2 * n - 1] = pieces[n]
  return wrk.format(nil, nil, nil, table.concat(parts, "", 1, 2 * n - 1))
end
