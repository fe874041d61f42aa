-- wrk script: POST /api/v1/verifications/{id}/check with a wrong code, rotating over the seeded verification ids.
-- Reads the key from API_KEY and the ids (one per line) from IDS_FILE.
local ids = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("IDS_FILE")) do
    if #line > 0 then ids[#ids + 1] = line end
  end
end

request = function()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  local body = string.format('{"code":"%06d"}', counter % 1000000)
  return wrk.format("POST", "/api/v1/verifications/" .. id .. "/check",
    { ["Authorization"] = "Bearer " .. os.getenv("API_KEY"), ["Content-Type"] = "application/json" }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests/s=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
