-- wrk script: POST one row of the example model to /model/score over keep-alive connections.
-- The same script drives the echo baseline (it echoes the body back).
-- [==[ ]==] because the JSON contains "]]", which would end a plain [[ ]] Lua string.
wrk.method = "POST"
wrk.body = [==[{"fields":["Sepal.Length","Sepal.Width","Petal.Length","Petal.Width"],"rows":[["6.3","3.3","6.0","2.5"]]}]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Connection"] = "keep-alive"

-- Count non-2xx answers so that a broken run cannot pass for a fast one.
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
end
