-- wrk script for bench/http_bench.py: one request shape, the status every answer should have, a JSON summary.
--
-- Environment: BENCH_METHOD (GET or POST), BENCH_BODY (urlencoded form for POST),
-- BENCH_COOKIE (the Cookie header), BENCH_EXPECT (e.g. 200 or 302), BENCH_CSRF (the csrftoken cookie of
-- every request and a POST's form field); BENCH_VARIANTS, optionally, lines of path<TAB>cookie<TAB>body taken in
-- turn (several people's writes: one person's sixteen at once would only queue on their own rows' locks).
-- Prints one JSON line with requests, errors, statuses, throughput and p50/p95/p99 in ms.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads - 1)
end

local function split(text, separator)
  local parts = {}
  for part in string.gmatch(text .. separator, "(.-)" .. separator) do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  expected = tonumber(os.getenv("BENCH_EXPECT") or "200")
  unexpected = 0
  statuses = {}
  wrk.method = os.getenv("BENCH_METHOD") or "GET"
  wrk.headers["X-Forwarded-Proto"] = "https"  -- as the TLS-terminating proxy would
  wrk.headers["User-Agent"] = "recovery-network-bench"
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"  -- as every browser does: cached pages go out compressed
  -- gunicorn's sync workers close after each answer; saying so up front keeps wrk from
  -- counting its stalled reconnects as latency (as a proxy in front would, one request per connection).
  wrk.headers["Connection"] = "close"
  local cookie = os.getenv("BENCH_COOKIE") or ""
  local token = os.getenv("BENCH_CSRF") or ""
  if token ~= "" then
    -- Every request, as a browser sends it back: without it each page mints a new secret and sets the cookie.
    cookie = cookie .. "; csrftoken=" .. token
  end
  if wrk.method == "POST" then
    local host = wrk.headers["Host"] or "127.0.0.1"
    local body = os.getenv("BENCH_BODY") or ""
    if body ~= "" then body = body .. "&" end
    wrk.body = body .. "csrfmiddlewaretoken=" .. token
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Origin"] = "https://" .. host
    wrk.headers["Referer"] = "https://" .. host .. wrk.path
  end
  wrk.headers["Cookie"] = cookie
  requests, turn = {}, number or 0
  local variants = os.getenv("BENCH_VARIANTS") or ""
  for line in string.gmatch(variants, "[^\n]+") do
    local path, person, form = (table.unpack or unpack)(split(line, "\t"))
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Cookie"] = person .. "; csrftoken=" .. token
    local body = nil
    if wrk.method == "POST" then
      body = (form ~= "" and form .. "&" or "") .. "csrfmiddlewaretoken=" .. token
      headers["Referer"] = "https://" .. (wrk.headers["Host"] or "127.0.0.1") .. path
    end
    table.insert(requests, wrk.format(wrk.method, path, headers, body))
  end
  if #requests == 0 then
    table.insert(requests, wrk.format())
  end
end

function request()
  turn = turn + 1
  return requests[turn % #requests + 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad, seen = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    for status, count in pairs(thread:get("statuses")) do
      seen[status] = (seen[status] or 0) + count
    end
  end
  local errors = summary.errors
  bad = bad + errors.connect + errors.read + errors.write + errors.timeout
  local parts = {}
  for status, count in pairs(seen) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "errors": %d, "statuses": {%s}, "rps": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests, bad, table.concat(parts, ", "), summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000
  ))
end
