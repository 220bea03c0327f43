-- End to end with Neovim's real LSP client and the real `pyreload serve`.
-- test.sh makes two copies of editors/fixtures and passes them in
-- PYRELOAD_TEST_ROOT1 (default settings) and PYRELOAD_TEST_ROOT2 (on_save = false),
-- and the server binary in PYRELOAD_BIN.
-- Run: nvim --headless -u NONE -i NONE -n -c "luafile test/e2e.lua"
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(here, ":h"))
vim.cmd("filetype on")
local H = dofile(here .. "/harness.lua")
local pyreload = require("pyreload")

local bin = assert(os.getenv("PYRELOAD_BIN"), "PYRELOAD_BIN")
local root1 = assert(os.getenv("PYRELOAD_TEST_ROOT1"), "PYRELOAD_TEST_ROOT1")
local root2 = assert(os.getenv("PYRELOAD_TEST_ROOT2"), "PYRELOAD_TEST_ROOT2")
local FIRST_RELOAD_MS = 60000 -- the first reload starts the embedded interpreter
local RELOAD_MS = 30000
-- The server starts a root's interpreter after initialize and sends
-- pyreload/status "ready" once the host has imported the packages (the server
-- gives the host 60 s to start and 60 s to import).
local READY_MS = 120000

-- Record notifications (errors from the plugin or the LSP client).
local notes = {}
vim.notify = function(msg, level, opts)
  table.insert(notes, { msg = msg, level = level })
  io.stdout:write(("[notify %s] %s\n"):format(tostring(level), tostring(msg)))
end
local function errors()
  local e = {}
  for _, n in ipairs(notes) do
    if n.level == vim.log.levels.ERROR then
      table.insert(e, n.msg)
    end
  end
  return e
end

local function stale(buf, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == "pyreload" and (code == nil or d.code == code) then
      table.insert(out, d)
    end
  end
  return out
end

local function show(buf)
  local t = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(t, ("%d:%s:%s:%s"):format(d.lnum + 1, tostring(d.source), tostring(d.code), d.message))
  end
  return "[" .. table.concat(t, "; ") .. "]"
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function client_ready(buf)
  local c = pyreload.get_client(buf)
  return c and c.server_capabilities ~= nil and c.initialized ~= false and c
end

-- Every pyreload/status notification, in order (the plugin's on_status).
local statuses = {}
local function on_status(st)
  table.insert(statuses, st)
end

local function describe_statuses()
  local t = {}
  for _, st in ipairs(statuses) do
    table.insert(t, ("%s=%s%s"):format(tostring(st.root), tostring(st.state), vim.inspect(st.pids)))
  end
  return "[" .. table.concat(t, "; ") .. "]"
end

--- wait_ready waits for the pyreload/status "ready" notification of root:
--- before it, the host has not imported the package, and a save is not a
--- stale reference (the host simply imports the new code). Fails at once on
--- "failed".
local function wait_ready(root)
  local ok = vim.wait(READY_MS, function()
    local st = pyreload.states[root]
    return st ~= nil and (st.state == "ready" or st.state == "failed")
  end, 50)
  local st = pyreload.states[root]
  if not ok then
    error(("timed out after %d ms waiting for the pyreload/status \"ready\" notification of %s (statuses so far: %s; errors: %s)")
      :format(READY_MS, root, describe_statuses(), vim.inspect(errors())), 2)
  end
  if st.state ~= "ready" then
    error(("the interpreters of %s failed to start: pyreload/status %q (statuses so far: %s; errors: %s)")
      :format(root, st.state, describe_statuses(), vim.inspect(errors())), 2)
  end
  return st
end

local function edit_and_write(buf, from, to)
  vim.api.nvim_set_current_buf(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, l in ipairs(lines) do
    lines[i] = l:gsub(from, to)
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.cmd("silent write")
end

---------------------------------------------------------------- root 1: defaults

pyreload.setup({ cmd = { bin, "serve", "--stdio" }, on_status = on_status })
local views1 = open(root1 .. "/app/views.py")
local core1 = open(root1 .. "/shop/core.py")
local client1

H.test("the plugin starts pyreload serve for Python buffers under the root", function()
  H.eq("python", vim.bo[core1].filetype, "filetype")
  H.wait(20000, function() return client_ready(core1) end, "the server to answer initialize")
  client1 = client_ready(core1)
  H.eq(root1, client1.config.root_dir, "root")
  H.ok(vim.lsp.buf_is_attached(views1, client1.id), "views.py attached")
  H.ok(vim.lsp.buf_is_attached(core1, client1.id), "core.py attached")
  local cmds = (client1.server_capabilities.executeCommandProvider or {}).commands or {}
  for _, id in ipairs({ "pyreload.deepReload", "pyreload.rebind", "pyreload.patchInPlace", "pyreload.reloadDependents", "pyreload.restartInterpreter" }) do
    H.ok(vim.tbl_contains(cmds, id), "server advertises " .. id .. " (has " .. vim.inspect(cmds) .. ")")
  end
end)

H.test(":write reloads the package; stale-import appears at app/views.py:2", function()
  H.ok(client1, "no running pyreload server for the first root (see the first failure)")
  -- Save once the root's interpreter has imported the package: a save that
  -- reaches the disk before that is simply imported as new code, not stale.
  local st = wait_ready(root1)
  H.ok(#st.pids > 0, "pyreload/status ready names the interpreter's pid: " .. describe_statuses())
  H.ok(pyreload.status():match("^pyreload "), "status() once ready: " .. pyreload.status())
  edit_and_write(core1, "hello from shop", "hello, edited")
  H.wait(FIRST_RELOAD_MS, function() return #stale(views1, "stale-import") > 0 end,
    function() return "a stale-import diagnostic on app/views.py, have " .. show(views1) end)
  local d = stale(views1, "stale-import")
  H.eq(1, #d, "one stale-import " .. show(views1))
  H.eq(1, d[1].lnum, "0-based line of `from shop.core import hello`")
  H.ok(d[1].message:match("hello"), d[1].message)
  H.eq({}, errors(), "no errors")
end)

H.test("pyreload/report arrived for the reload", function()
  H.ok(client1, "no running pyreload server for the first root (see the first failure)")
  H.wait(RELOAD_MS, function() return pyreload.reports[root1] ~= nil end, "a pyreload/report notification")
  local r = pyreload.reports[root1]
  H.eq("shop", r.package, "package")
  H.eq(true, r.ok, "ok")
end)

H.test("the quick fix (textDocument/codeAction + its command) clears the diagnostic", function()
  H.ok(client1, "no running pyreload server for the first root (see the first failure)")
  local d = H.ok(stale(views1, "stale-import")[1], "a stale-import to fix " .. show(views1))
  local lsp = vim.tbl_extend("keep", {
    range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity,
    message = d.message,
    source = d.source,
    code = d.code,
  }, d.user_data and d.user_data.lsp or {})
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(views1) },
    range = lsp.range,
    context = { diagnostics = { lsp }, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(views1, "textDocument/codeAction", params, 10000)
  local actions = {}
  for id, resp in pairs(responses or {}) do
    H.ok(not resp.err, "codeAction error: " .. vim.inspect(resp.err))
    for _, a in ipairs(resp.result or {}) do
      a.client_id = id
      table.insert(actions, a)
    end
  end
  local pick
  for _, a in ipairs(actions) do
    if a.kind == "quickfix" and (not pick or (a.title or ""):lower():match("rebind")) then
      pick = a
    end
  end
  H.ok(pick, "a quickfix action, got " .. vim.inspect(actions))
  local client = vim.lsp.get_client_by_id(pick.client_id)
  if not pick.edit and not pick.command and (client.server_capabilities.codeActionProvider or {}).resolveProvider then
    local res = client.request_sync("codeAction/resolve", pick, 10000)
    pick = res and res.result or pick
  end
  if pick.edit then
    vim.lsp.util.apply_workspace_edit(pick.edit, client.offset_encoding)
  end
  local cmd = type(pick.command) == "table" and pick.command or (type(pick.command) == "string" and pick) or nil
  if cmd then
    local res = client.request_sync("workspace/executeCommand", { command = cmd.command, arguments = cmd.arguments }, RELOAD_MS)
    H.ok(res and not res.err, "executeCommand " .. cmd.command .. ": " .. vim.inspect(res))
  end
  H.wait(RELOAD_MS, function() return #stale(views1, "stale-import") == 0 end,
    function() return ("the stale-import to clear after %q, have %s"):format(pick.title, show(views1)) end)
end)

---------------------------------------------------------------- root 2: on_save = false

pyreload.setup({ cmd = { bin, "serve", "--stdio" }, on_save = false, on_status = on_status })
local views2 = open(root2 .. "/app/views.py")
local core2 = open(root2 .. "/shop/core.py")
local client2

H.test("on_save = false: :write does not reload", function()
  H.wait(20000, function() return client_ready(core2) end, "the second root's server")
  local c2 = client_ready(core2)
  client2 = c2
  H.eq(root2, c2.config.root_dir, "second root")
  H.ok(c2.id ~= client1.id, "one server per root")
  H.eq({ onSave = false }, c2.config.init_options, "initializationOptions")
  wait_ready(root2) -- as above: a save after start-up
  edit_and_write(core2, "hello from shop", "hello, not reloaded")
  vim.wait(4000, function() return false end, 100)
  H.eq(nil, pyreload.reports[root2], "no report")
  H.eq({}, stale(views2), "no diagnostics " .. show(views2))
end)

H.test(":PyreloadDeepReload reloads the current file's package", function()
  H.ok(client2, "no running pyreload server for the second root (see the failure above)")
  vim.api.nvim_set_current_buf(core2)
  vim.cmd("PyreloadDeepReload")
  H.wait(FIRST_RELOAD_MS, function() return #stale(views2, "stale-import") > 0 end,
    function() return "a stale-import after :PyreloadDeepReload, have " .. show(views2) end)
  H.eq(1, stale(views2, "stale-import")[1].lnum, "line")
  H.wait(RELOAD_MS, function() return pyreload.reports[root2] ~= nil end, "a pyreload/report")
  H.eq({}, errors(), "no errors")
end)

H.test(":PyreloadReport shows the last report", function()
  vim.api.nvim_set_current_buf(core2)
  vim.cmd("PyreloadReport")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  H.ok(text:match("pyreload report for package shop"), text)
  vim.cmd("bwipeout!")
end)

H.test(":PyreloadRestart restarts the interpreter without error", function()
  H.ok(client2, "no running pyreload server for the second root (see the failure above)")
  vim.api.nvim_set_current_buf(core2)
  local c2 = pyreload.get_client(core2)
  local done
  local request = c2.request
  c2.request = function(method, params, handler, bufnr)
    return request(method, params, function(err, result, ...)
      if method == "workspace/executeCommand" and params.command == "pyreload.restartInterpreter" then
        done = { err = err }
      end
      if handler then return handler(err, result, ...) end
    end, bufnr)
  end
  local before = #statuses
  vim.cmd("PyreloadRestart")
  H.wait(RELOAD_MS, function() return done ~= nil end, "the answer to pyreload.restartInterpreter")
  c2.request = request
  H.eq(nil, done.err, "error")
  H.wait(RELOAD_MS, function()
    for i = before + 1, #statuses do
      if statuses[i].root == root2 and statuses[i].state == "ready" then
        return true
      end
    end
    return false
  end, function() return "pyreload/status \"ready\" for the restarted interpreter, have " .. describe_statuses() end)
  H.eq("ready", pyreload.states[root2].state, "state after the restart")
end)

vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
H.finish("nvim-e2e")
