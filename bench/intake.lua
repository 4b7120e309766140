-- wrk script for bench/intake.py: realistic intake bodies, one Idempotency-Key per request,
-- about 10 % of requests sent again with the same key and body (a client retry).
--
-- Run with one connection per thread (-t N -c N): wrk then sends a thread's next request only
-- after its answer, so each answer belongs to the thread's last request and its key is known.
-- Each thread writes the keys answered 201 to OUTDIR/keys-<thread>.txt, for the count check;
-- the key still waiting for its answer when wrk stops is reported as in flight (the server
-- may store it after the client has gone: bench/intake.py looks it up in the key table).
--
--   wrk -t16 -c16 -d10s -s bench/intake.lua URL -- TOKEN OUTDIR SEED AREA
-- (TOKEN "-" sends no Authorization header.)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local names = { "王", "李", "张", "刘", "陈", "杨" }
local titles = { "大爷", "阿姨", "先生" }
local categories = { "medicine", "groceries", "escort", "psychological", "antigen", "other" }
local medicine = { "null", "1", "3", "7" }
local food = { "null", "0", "2", "5" }

function init(args)
  token, outdir, seed, area = args[1], args[2], args[3], args[4]
  math.randomseed(tonumber(seed) * 1000 + tid)
  keys = io.open(outdir .. "/keys-" .. tid .. ".txt", "w")
  keys:setvbuf("line") -- wrk never closes a thread's Lua state: nothing may stay buffered
  n, sent, retries, accepted, replayed, failed = 0, 0, 0, 0, 0, 0
  retry = nil
  inflight = ""
  headers = { ["Content-Type"] = "application/json" }
  if token ~= "-" then
    headers["Authorization"] = "Token " .. token
  end
end

local function pick(list)
  return list[math.random(#list)]
end

local function body(i)
  return string.format(
    '{"area":"%s","category":"%s","caller_name":"%s%s","caller_phone":"139%08d",'
      .. '"address":"一村1号楼%d0%d","description":"第%d号求助：需要帮忙",'
      .. '"days_medicine_left":%s,"days_food_left":%s,"medical_emergency":%s}',
    area, pick(categories), pick(names), pick(titles), math.random(0, 99999999),
    math.random(1, 6), math.random(1, 4), i, pick(medicine), pick(food),
    math.random() < 0.02 and "true" or "false")
end

function request()
  local b
  if retry then
    key, b = retry[1], retry[2]
    retry = nil
  inflight = ""
    retries = retries + 1
  else
    n = n + 1
    key = string.format("s%s-t%d-%d", seed, tid, n)
    b = body(n)
    if math.random() < 0.1 then
      retry = { key, b }
    end
  end
  sent = sent + 1
  inflight = key
  headers["Idempotency-Key"] = key
  return wrk.format("POST", nil, headers, b)
end

function response(status, hdrs, _)
  inflight = ""
  if status == 201 then
    accepted = accepted + 1
    keys:write(key, "\n")
    if hdrs["Idempotent-Replayed"] == "true" then
      replayed = replayed + 1
    end
  else
    failed = failed + 1
  end
end

function done(summary, latency, _)
  local t = { sent = 0, retries = 0, accepted = 0, replayed = 0, failed = 0 }
  for _, thread in ipairs(threads) do
    for name in pairs(t) do
      t[name] = t[name] + thread:get(name)
    end
  end
  local pending = {}
  for _, thread in ipairs(threads) do
    local k = thread:get("inflight")
    if k ~= "" then
      table.insert(pending, '"' .. k .. '"')
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"p50_us":%d,"p99_us":%d,"answers":%d,"us":%d,"socket_errors":%d,'
      .. '"sent":%d,"retries":%d,"accepted":%d,"replayed":%d,"failed":%d,"inflight":[%s]}\n',
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout,
    t.sent, t.retries, t.accepted, t.replayed, t.failed, table.concat(pending, ",")))
end
