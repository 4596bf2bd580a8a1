-- wrk script for bench/python/run.sh: POSTs the JSON body in the file named by $BENCH_BODY over
-- keep-alive connections. One script for every server under test; only the body file and the
-- URL differ (each server's own request format for the same one row).
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Connection"] = "keep-alive"

-- wrk counts non-2xx answers itself ("Non-2xx or 3xx responses"); print them always, so that a
-- server answering errors fast cannot pass for a fast server.
done = function(summary, latency, requests)
  io.write(string.format("non-2xx responses: %d\n", summary.errors.status))
end
