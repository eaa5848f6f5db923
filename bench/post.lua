-- wrk script: POST Logto's SendMessageData, a different number and end-user
-- ip each time, and print one machine-readable summary line ("BENCH {json}")
-- at the end. Any answer outside 2xx is counted as non2xx.
--
-- The numbers, +33 6 12 3x xx xx, are all valid French mobiles for
-- phonenumbers (the fraud guard's number-type step refuses invalid ranges);
-- the ips are 10.x.y.z, one per request, so no per-ip limit sees a crowd.
-- The Authorization values (args[2], args[3]...: "Bearer bench" when none) take
-- turns, one request each: two tenants' tokens share the load evenly.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

-- args[1]: where numbering starts, so that successive runs use other numbers.
function init(args)
  counter = (tonumber(args[1]) or 0) + thread_id * 10000
  non2xx = 0
  headers = {}
  for i = 2, #args do
    table.insert(headers, {["Content-Type"] = "application/json", ["Authorization"] = args[i]})
  end
  if #headers == 0 then
    headers[1] = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench"}
  end
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"to":"336123%05d","type":"SignIn","payload":{"code":"%06d","locale":"fr"},' ..
    '"ip":"10.%d.%d.%d"}',
    counter % 100000, (counter * 7919) % 1000000,
    math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, nil, headers[counter % #headers + 1], body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, non2xx_total, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
