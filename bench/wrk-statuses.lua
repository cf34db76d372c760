-- For bench/run.ts's wrk loads: counts every response's status (wrk itself counts only those
-- under 200 or over 399) and prints the counts when the run ends, a line "status <code> <count>" each.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do io.write(string.format("status %d %d\n", code, count)) end
  end
end
