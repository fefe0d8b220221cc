local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local n, i = tonumber(args[2]), 0
  paths = {}
  for line in io.lines(args[1]) do
    if i % n == id then paths[#paths + 1] = line end
    i = i + 1
  end
  if #paths == 0 then error("no paths in " .. args[1]) end
  next_index = 0
end
function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
-- done(): the RESULT line the benchmark scripts read (run from the repository root).
dofile("Benchmarks/lib/result.lua")
