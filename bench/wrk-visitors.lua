-- bench:redirect, "many visitors" (a viral link): every request from a client IP of its own (X-Forwarded-For, which
-- our server believes with TRUST_PROXY=1 and the bare server ignores), with one of four browser user agents.
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
}
local n = 0
request = function()
  n = n + 1
  local ip = string.format("86.%d.%d.%d", 1 + n % 250, math.floor(n / 250) % 250, math.floor(n / 62500) % 250)
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = ip, ["User-Agent"] = agents[(n % 4) + 1] })
end
