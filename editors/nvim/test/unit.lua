-- Tests of the plugin that need no server: root search, settings pass-through,
-- the client configuration, the user commands, attaching on 0.7 vs 0.8+.
-- Run: nvim --headless -u NONE -i NONE -n -c "luafile test/unit.lua"
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(here, ":h"))
local H = dofile(here .. "/harness.lua")
local pyreload = require("pyreload")

local tmp = vim.fn.tempname()
vim.fn.mkdir(tmp .. "/proj/pkg/sub", "p")
vim.fn.writefile({ "[tool.pyreload]" }, tmp .. "/proj/pyproject.toml")
vim.fn.writefile({ "" }, tmp .. "/proj/pkg/sub/mod.py")

H.test("find_root walks up to the nearest marker", function()
  H.eq(tmp .. "/proj", pyreload.find_root(tmp .. "/proj/pkg/sub/mod.py"), "root")
  H.eq(tmp .. "/proj/pkg", pyreload.find_root(tmp .. "/proj/pkg/sub/mod.py", { "sub" }), "custom markers")
  H.eq(nil, pyreload.find_root(tmp .. "/proj/pkg/sub/mod.py", { "no-such-marker-xyz" }), "no marker")
end)

H.test("server_settings sends only what the user set; on_save maps to onSave", function()
  H.eq({}, pyreload.server_settings(vim.deepcopy(pyreload.defaults)), "defaults")
  H.eq("{}", vim.fn.json_encode(pyreload.server_settings(vim.deepcopy(pyreload.defaults))), "no settings encode as a JSON object")
  H.eq('{"pyreload": {}}', vim.fn.json_encode(pyreload.client_config("/").settings), "empty section is an object")
  local cfg = vim.tbl_deep_extend("force", vim.deepcopy(pyreload.defaults), {
    on_save = false,
    settings = { packages = { "shop" }, mode = "patch", debounceMs = 50, bogus = 1 },
  })
  H.eq({ onSave = false, packages = { "shop" }, mode = "patch", debounceMs = 50 }, pyreload.server_settings(cfg), "settings")
end)

H.test("client_config runs `pyreload serve --stdio` and passes settings both ways", function()
  pyreload.setup({ path = "/opt/bin/pyreload", on_save = false, settings = { entry = "app:main" } })
  local c = pyreload.client_config(tmp .. "/proj")
  H.eq({ "/opt/bin/pyreload", "serve", "--stdio" }, c.cmd, "cmd")
  H.eq("pyreload", c.name, "name")
  H.eq(tmp .. "/proj", c.root_dir, "root_dir")
  H.eq({ onSave = false, entry = "app:main" }, c.init_options, "initializationOptions")
  H.eq({ pyreload = { onSave = false, entry = "app:main" } }, c.settings, "settings for workspace/configuration")
  H.ok(c.handlers["pyreload/report"], "pyreload/report handler")
  pyreload.setup({ cmd = { "x", "serve" } })
  H.eq({ "x", "serve" }, pyreload.client_config("/").cmd, "cmd override")
end)

H.test("setup defines the user commands", function()
  pyreload.setup({})
  local cmds = vim.api.nvim_get_commands({})
  for _, name in ipairs({ "PyreloadDeepReload", "PyreloadRestart", "PyreloadReport" }) do
    H.ok(cmds[name], name .. " defined")
  end
end)

H.test("pyreload/report feeds :PyreloadReport and status()", function()
  pyreload.setup({})
  local seen
  pyreload.config.on_report = function(r) seen = r end
  local handler = pyreload.client_config("/").handlers["pyreload/report"]
  handler(nil, { package = "shop", ok = true, modules = 2, duration_ms = 12.4, stale = 1, summary = "1 stale reference" }, { client_id = -1 })
  H.eq("shop", seen and seen.package, "on_report called")
  H.ok(pyreload.status():match("^pyreload shop 1 stale %d%d:%d%d:%d%d$"), "status: " .. pyreload.status())
  vim.cmd("PyreloadReport")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  H.ok(text:match("pyreload report for package shop"), text)
  H.ok(text:match("1 stale reference"), text)
  vim.cmd("bwipeout!")
end)

H.test("pyreload/status keeps per-root state for status(), :PyreloadReport and User PyreloadStatus", function()
  pyreload.setup({})
  pyreload.states, pyreload.last_status, pyreload.reports, pyreload.last = {}, nil, {}, nil
  local root = tmp .. "/proj"
  local other = tmp .. "/other"
  local saved_clients = pyreload.clients
  local saved_get = vim.lsp.get_client_by_id
  local seen, events = {}, {}
  pyreload.config.on_status = function(st) table.insert(seen, st) end
  local group = vim.api.nvim_create_augroup("pyreload_unit_status", { clear = true })
  vim.api.nvim_create_autocmd("User", { group = group, pattern = "PyreloadStatus", callback = function()
    table.insert(events, pyreload.last_status.state)
  end })
  local ok, err = pcall(function()
    local handler = H.ok(pyreload.client_config(root).handlers["pyreload/status"], "pyreload/status handler")
    -- A running client for the root and no status yet: starting.
    pyreload.clients = { [root] = 99 }
    vim.lsp.get_client_by_id = function(id)
      if id == 99 then
        return { id = 99, config = { root_dir = root }, is_stopped = function() return false end }
      end
    end
    H.eq("pyreload starting…", pyreload.status(root), "before ready")
    H.eq("", pyreload.status(other), "no client, no status")

    handler(nil, { root = vim.uri_from_fname(root), state = "ready", pids = { 4242 } }, { client_id = 99 })
    H.eq(1, #seen, "on_status called")
    H.eq({ "ready" }, events, "User PyreloadStatus fired")
    local st = H.ok(pyreload.states[root], "state kept under the client's root")
    H.eq("ready", st.state, "state")
    H.eq({ 4242 }, st.pids, "pids")
    H.eq(st, pyreload.last_status, "last_status")
    H.eq("pyreload ready", pyreload.status(root), "ready, no reload yet")
    local lines = pyreload.report_lines(root)
    H.ok(lines[1]:match("interpreters of .*/proj: ready %(pid 4242%) since %d%d:%d%d:%d%d$"), vim.inspect(lines))
    H.ok(table.concat(lines, "\n"):match("no reload has run yet"), vim.inspect(lines))

    pyreload.client_config(root).handlers["pyreload/report"](nil, { package = "shop", ok = true, modules = 2, duration_ms = 3, stale = 0, summary = "" }, { client_id = 99 })
    H.ok(pyreload.status(root):match("^pyreload shop ok %d%d:%d%d:%d%d$"), "after a report: " .. pyreload.status(root))

    handler(nil, { root = vim.uri_from_fname(root), state = "restarting", pids = vim.NIL }, { client_id = 99 })
    H.eq("pyreload restarting…", pyreload.status(root), "restarting")
    H.eq({}, pyreload.states[root].pids, "null pids")
    handler(nil, { root = vim.uri_from_fname(root), state = "failed", pids = {} }, { client_id = 99 })
    H.eq("pyreload failed", pyreload.status(root), "failed")
    H.ok(pyreload.report_lines(root)[1]:match(": failed since"), vim.inspect(pyreload.report_lines(root)))
    handler(nil, { root = vim.uri_from_fname(root), state = "ready", pids = { 5151 } }, { client_id = 99 })
    H.ok(pyreload.status(root):match("^pyreload shop ok"), "ready again shows the last report: " .. pyreload.status(root))
    H.eq({ "ready", "restarting", "failed", "ready" }, events, "one User PyreloadStatus per notification")

    -- A root the client does not know by that name is kept under the URI's path.
    handler(nil, { root = vim.uri_from_fname(other), state = "failed", pids = {} }, { client_id = 99 })
    H.eq("failed", pyreload.states[other] and pyreload.states[other].state, "other root")
    H.eq("ready", pyreload.states[root].state, "root unchanged")
    H.eq("pyreload failed", pyreload.status(other), "status of the other root")
    -- Malformed notifications are ignored.
    handler(nil, { root = vim.uri_from_fname(root), state = "bogus" }, { client_id = 99 })
    handler(nil, "nope", { client_id = 99 })
    H.eq("ready", pyreload.states[root].state, "ignored")
    H.eq(5, #events, "no event for malformed notifications")

    -- :PyreloadReport shows the state of the current buffer's root.
    vim.cmd("edit " .. tmp .. "/proj/pkg/sub/mod.py")
    H.ok(pyreload.status():match("^pyreload shop ok"), "status() of the current buffer's root: " .. pyreload.status())
    vim.cmd("PyreloadReport")
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    H.ok(text:match("interpreters of .*/proj: ready %(pid 5151%)"), text)
    H.ok(text:match("pyreload report for package shop"), text)
    vim.cmd("bwipeout!")
    vim.cmd("bwipeout!")

    -- The client's exit forgets the root's state.
    pyreload.client_config(root).on_exit(0, 0, 99)
    H.eq(nil, pyreload.states[root], "state cleared on exit")
  end)
  vim.lsp.get_client_by_id = saved_get
  pyreload.clients = saved_clients
  pyreload.config.on_status = nil
  vim.api.nvim_del_augroup_by_id(group)
  assert(ok, err)
end)

H.test("attach uses vim.lsp.start on 0.8+ and start_client + buf_attach_client on 0.7", function()
  local calls = {}
  local saved = { start = vim.lsp.start, start_client = vim.lsp.start_client, buf_attach_client = vim.lsp.buf_attach_client, get = vim.lsp.get_client_by_id }
  vim.lsp.start_client = function(conf) table.insert(calls, { "start_client", conf.root_dir }); return 4242 end
  vim.lsp.buf_attach_client = function(buf, id) table.insert(calls, { "buf_attach_client", id }); return true end
  vim.lsp.get_client_by_id = function() return nil end
  pyreload.setup({ path = vim.fn.exepath("sh") })
  pyreload.clients = {}
  vim.cmd("edit " .. tmp .. "/proj/pkg/sub/mod.py")
  local buf = vim.api.nvim_get_current_buf()
  local ok, err = pcall(function()
    vim.lsp.start = nil
    H.eq(4242, pyreload.attach(buf), "0.7 path returns the client id")
    H.eq({ { "start_client", tmp .. "/proj" }, { "buf_attach_client", 4242 } }, calls, "0.7 calls")
    calls = {}
    vim.lsp.start = function(conf, opts) table.insert(calls, { "start", conf.root_dir, opts.bufnr }); return 7 end
    H.eq(7, pyreload.attach(buf), "0.8 path returns the client id")
    H.eq({ { "start", tmp .. "/proj", buf } }, calls, "0.8 calls")
  end)
  vim.lsp.start, vim.lsp.start_client, vim.lsp.buf_attach_client, vim.lsp.get_client_by_id = saved.start, saved.start_client, saved.buf_attach_client, saved.get
  vim.cmd("bwipeout!")
  assert(ok, err)
end)

H.test("buffers outside any root are left alone", function()
  pyreload.setup({ root_markers = { "no-such-marker-xyz" } })
  vim.cmd("edit " .. tmp .. "/proj/pkg/sub/mod.py")
  H.eq(nil, pyreload.attach(0), "no root, no client")
  vim.cmd("bwipeout!")
end)

H.test("the binary: the project's virtualenv, then PATH; a missing one is named", function()
  local saved_notify, saved_venv, saved_path = vim.notify, vim.env.VIRTUAL_ENV, vim.env.PATH
  local notes = {}
  vim.notify = function(msg, level) table.insert(notes, { msg = msg, level = level }) end
  local ok, err = pcall(function()
    vim.env.VIRTUAL_ENV = nil
    vim.env.PATH = tmp .. "/nothing"
    local root = tmp .. "/proj"
    pyreload.setup({})
    pyreload.warned_missing = {}
    H.eq(nil, pyreload.binary(root), "nothing installed")
    vim.cmd("edit " .. root .. "/pkg/sub/mod.py")
    H.eq(nil, pyreload.attach(0), "no client without a binary")
    H.eq(1, #notes, "one message")
    H.ok(notes[1].msg:match("binary `pyreload` was not found in the project's virtualenv or on PATH"), notes[1].msg)
    H.ok(not notes[1].msg:match("root"), "the message does not blame the root: " .. notes[1].msg)
    pyreload.attach(0)
    H.eq(1, #notes, "said once per root")
    vim.cmd("PyreloadDeepReload")
    H.eq(2, #notes, "the command says why")
    H.ok(notes[2].msg:match("was not found"), notes[2].msg)
    vim.cmd("bwipeout!")
    -- Installed: on PATH, then in the project's .venv (preferred).
    vim.fn.mkdir(tmp .. "/bin", "p")
    vim.fn.writefile({ "#!/bin/sh" }, tmp .. "/bin/pyreload")
    vim.fn.setfperm(tmp .. "/bin/pyreload", "rwxr-xr-x")
    vim.env.PATH = tmp .. "/bin"
    H.eq("pyreload", pyreload.binary(root), "found on PATH")
    vim.fn.mkdir(root .. "/.venv/bin", "p")
    vim.fn.writefile({ "#!/bin/sh" }, root .. "/.venv/bin/pyreload")
    vim.fn.setfperm(root .. "/.venv/bin/pyreload", "rwxr-xr-x")
    H.eq(root .. "/.venv/bin/pyreload", pyreload.binary(root), "the project's virtualenv first")
    H.eq({ root .. "/.venv/bin/pyreload", "serve", "--stdio" }, pyreload.client_config(root).cmd, "cmd")
    pyreload.setup({ path = "/opt/none/pyreload" })
    H.ok(pyreload.missing_binary(root):match("`/opt/none/pyreload` was not found;"), "an explicit path is named as given")
  end)
  vim.notify, vim.env.VIRTUAL_ENV, vim.env.PATH = saved_notify, saved_venv, saved_path
  vim.fn.delete(tmp .. "/proj/.venv", "rf")
  assert(ok, err)
end)

H.test("setting_keys are the server's keys (the JSON names of reload/config's Settings)", function()
  local src = table.concat(vim.fn.readfile(vim.fn.fnamemodify(here, ":h:h:h") .. "/reload/config/config.go"), "\n")
  local struct = assert(src:match("\ntype Settings struct {(.-)\n}"), "type Settings struct in config.go")
  local keys = {}
  for k in struct:gmatch('json:"(%w+)') do
    table.insert(keys, k)
  end
  local mine = vim.deepcopy(pyreload.setting_keys)
  table.sort(keys)
  table.sort(mine)
  H.eq(keys, mine, "setting keys")
end)

H.test(":help pyreload finds doc/pyreload.txt and its commands", function()
  local docdir = tmp .. "/helpdoc/doc"
  vim.fn.mkdir(docdir, "p")
  vim.fn.writefile(vim.fn.readfile(vim.fn.fnamemodify(here, ":h") .. "/doc/pyreload.txt"), docdir .. "/pyreload.txt")
  vim.cmd("helptags " .. docdir)
  vim.opt.runtimepath:prepend(tmp .. "/helpdoc")
  for _, tag in ipairs({ "pyreload", "pyreload-install", ":PyreloadDeepReload", ":PyreloadRestart", ":PyreloadReport", "pyreload.status()" }) do
    vim.cmd("help " .. vim.fn.escape(tag, " "))
    H.eq("pyreload.txt", vim.fn.expand("%:t"), ":help " .. tag)
    vim.cmd("helpclose")
  end
end)

vim.fn.delete(tmp, "rf")
H.finish("nvim-unit")
