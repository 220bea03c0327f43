-- A small test harness for headless Neovim: test(name, fn), assertions, and
-- finish() which prints one line per test, the "N passed, N failed" summary,
-- and exits non-zero when a test failed.
local H = { passed = 0, failed = 0, results = {} }

local function out(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

function H.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    H.passed = H.passed + 1
    out("ok - " .. name)
  else
    H.failed = H.failed + 1
    out("FAIL - " .. name .. "\n  " .. tostring(err):gsub("\n", "\n  "))
  end
end

function H.eq(want, got, what)
  if not vim.deep_equal(want, got) then
    error(("%s: want %s, got %s"):format(what or "value", vim.inspect(want), vim.inspect(got)), 2)
  end
end

function H.ok(v, what)
  if not v then
    error(what or "assertion failed", 2)
  end
  return v
end

--- wait polls cond (running the event loop) and fails with what() on timeout.
function H.wait(ms, cond, what)
  local ok = vim.wait(ms, cond, 50)
  if not ok then
    local msg = type(what) == "function" and what() or what
    error(("timed out after %d ms waiting for %s"):format(ms, msg or "a condition"), 2)
  end
end

function H.finish(label)
  out(("%s: %d passed, %d failed"):format(label, H.passed, H.failed))
  if H.failed > 0 then
    vim.cmd("cquit 1")
  else
    vim.cmd("qall!")
  end
end

return H
