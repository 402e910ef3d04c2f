-- wrk script of bench/load.sh: one scenario per run, as a signed-in user
-- (the session cookie, and the CSRF token a POST through a session must
-- send). Set by the environment:
--
--   LOAD_SCENARIO    id_search | name_search | person | home | list
--   LOAD_COOKIE      the session id (cookie sojourn_session)
--   LOAD_CSRF        the session's CSRF token
--   LOAD_TERMS       file of search terms, one a line (the searches)
--   LOAD_MAX_PERSON  the largest person id (the person page asks for
--                    ids drawn from 1..LOAD_MAX_PERSON)
--
-- Prints one line at the end, read by bench/load.sh:
--   RESULT scenario requests p50_ms p90_ms p99_ms max_ms req_per_s not_200 socket_errors

local scenario = os.getenv("LOAD_SCENARIO") or "home"
local cookie = os.getenv("LOAD_COOKIE") or ""
local csrf = os.getenv("LOAD_CSRF") or ""
local terms_file = os.getenv("LOAD_TERMS")
local max_person = tonumber(os.getenv("LOAD_MAX_PERSON") or "1")

local threads = {}
local next_id = 1

function setup(thread)
    thread:set("thread_id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

local terms = {}

function init(args)
    not_200 = 0
    math.randomseed(os.time() * 1000 + thread_id)
    if terms_file ~= nil and terms_file ~= "" then
        for line in io.lines(terms_file) do
            terms[#terms + 1] = line
        end
    end
    wrk.headers["Cookie"] = "sojourn_session=" .. cookie
end

local search_headers = nil

local function search()
    if search_headers == nil then
        search_headers = {
            ["Content-Type"] = "application/json",
            ["x-csrf-token"] = csrf,
            ["Cookie"] = "sojourn_session=" .. cookie,
        }
    end
    local term = terms[math.random(#terms)]
    return wrk.format("POST", "/api/v1/residents/search", search_headers,
        '{"q":"' .. term .. '"}')
end

function request()
    if scenario == "id_search" or scenario == "name_search" then
        return search()
    elseif scenario == "person" then
        return wrk.format("GET", "/persons/" .. math.random(max_person))
    elseif scenario == "list" then
        return wrk.format("GET", "/residents")
    else
        return wrk.format("GET", "/")
    end
end

-- A redirect (to the sign-in page) or a refusal is not an answer: counted.
function response(status, headers, body)
    if status ~= 200 then
        not_200 = not_200 + 1
    end
end

function done(summary, latency, requests)
    local bad = 0
    for _, thread in ipairs(threads) do
        bad = bad + (thread:get("not_200") or 0)
    end
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.timeout
    io.write(string.format("RESULT %s %d %.2f %.2f %.2f %.2f %.1f %d %d\n",
        scenario, summary.requests,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        summary.requests / (summary.duration / 1e6), bad, errors))
end
