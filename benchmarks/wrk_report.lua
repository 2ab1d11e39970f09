-- wrk script shared by every line of benchmarks/run.py.
--
-- Arguments after `--`: METHOD PATH [AUTH] [OFFSET].  With METHOD = TRIGGER every request
-- is a POST that triggers a run at its own execution date (OFFSET keeps dates of separate
-- wrk invocations apart; each thread takes its own block of a million seconds).
-- AUTH is "-" or an Authorization header value.
-- `done` prints one JSON line the runner reads.  No `response` hook: it would slow wrk down.

local counter = 0
local thread_number = 0

function setup(thread)
  thread:set("id", thread_number)
  thread_number = thread_number + 1
end

function init(args)
  method = args[1]
  target = args[2]
  if args[3] and args[3] ~= "-" then
    wrk.headers["Authorization"] = args[3]
  end
  offset = tonumber(args[4] or "0")
  if method == "TRIGGER" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  else
    wrk.method = method
  end
  wrk.path = target
  base = 1893456000 + offset + id * 1000000 -- 2030-01-01T00:00:00Z
end

function request()
  if method ~= "TRIGGER" then
    return wrk.request()
  end
  counter = counter + 1
  local when = os.date("!%Y-%m-%dT%H:%M:%S+00:00", base + counter)
  local body = string.format('{"run_id": "bench_%d_%d", "execution_date": "%s"}', id, base + counter, when)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  -- errors: answers >= 400 (wrk's own count) plus socket errors and timeouts
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
