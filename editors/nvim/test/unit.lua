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

H.test("attach uses vim.lsp.start on 0.8+ and start_client + buf_attach_client on 0.7", function()
  local calls = {}
  local saved = { start = vim.lsp.start, start_client = vim.lsp.start_client, buf_attach_client = vim.lsp.buf_attach_client, get = vim.lsp.get_client_by_id }
  vim.lsp.start_client = function(conf) table.insert(calls, { "start_client", conf.root_dir }); return 4242 end
  vim.lsp.buf_attach_client = function(buf, id) table.insert(calls, { "buf_attach_client", id }); return true end
  vim.lsp.get_client_by_id = function() return nil end
  pyreload.setup({})
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

vim.fn.delete(tmp, "rf")
H.finish("nvim-unit")
