-- For bench/run.ts's wrk loads: counts every response's status (wrk itself counts only those
-- under 200 or over 399) and prints the counts when the run ends, a line "status <code> <count>" each.
-- A number after `--` (a smoke run's) stops the thread after that many responses and says so on
-- stderr, where bench/run.ts answers with SIGINT: wrk then reports at once instead of waiting out
-- its shortest duration, a second.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses = {}
  limit = tonumber(args[1])
  answered = 0
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if limit and answered == limit then
    io.stderr:write("answered\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do io.write(string.format("status %d %d\n", code, count)) end
  end
end
