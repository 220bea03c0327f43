-- pyreload: Neovim client for `pyreload serve`, the deep-reload language server.
--
--   require("pyreload").setup({ on_save = true })
--
-- Starts one `pyreload serve --stdio` per project root and attaches it to the
-- Python buffers under that root. Works on Neovim 0.7 (vim.lsp.start_client +
-- vim.lsp.buf_attach_client) and 0.8+ (vim.lsp.start). The server reloads on
-- textDocument/didSave, which Neovim sends on :write; on_save = false passes
-- onSave = false to the server.
local M = {}

-- Settings of DESIGN.md that are passed to the server when set.
M.setting_keys = { "onSave", "packages", "exclude", "entry", "pythonPath", "mode", "debounceMs" }

M.defaults = {
  -- The pyreload binary (a path or a name on PATH); ignored when cmd is set.
  path = "pyreload",
  -- The full server command; default { path, "serve", "--stdio" }.
  cmd = nil,
  filetypes = { "python" },
  -- A directory containing one of these (nearest first) is the root.
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
  -- function(path) -> root or nil, to replace the marker search.
  root_dir = nil,
  -- nil: the server's default / [tool.pyreload] onSave; true or false: override.
  on_save = nil,
  -- Other server settings: packages, exclude, entry, pythonPath, mode, debounceMs.
  settings = {},
  -- Show the server's one-line reload messages with vim.notify.
  notify = true,
  -- function(report) called with each pyreload/report notification.
  on_report = nil,
  -- function(status) called with each pyreload/status notification
  -- ({root, uri, state = "ready"|"restarting"|"failed", pids, at}).
  on_status = nil,
  -- Passed through to the LSP client (e.g. on_attach, capabilities).
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(M.defaults)

-- Per root: the last report ({package, ok, modules, duration_ms, stale, summary, at})
-- and the last full report the server logged (window/logMessage).
M.reports = {}
M.logs = {}
M.last_root = nil

-- Per root: the interpreters' state from the last pyreload/status notification
-- ({root, uri, state, pids, at}); M.last_status is the most recent of any root.
-- A root with a running client and no entry yet is "starting".
M.states = {}
M.last_status = nil

-- The states pyreload/status can carry.
M.STATES = { ready = true, restarting = true, failed = true }

local group_name = "pyreload"

local function has_08()
  return vim.lsp.start ~= nil
end

local function dirname(p)
  return vim.fn.fnamemodify(p, ":h")
end

local function exists(p)
  return vim.loop.fs_stat(p) ~= nil
end

--- find_root returns the nearest directory above path (inclusive) holding one
--- of the root markers, or nil.
function M.find_root(path, markers)
  markers = markers or M.config.root_markers
  if path == nil or path == "" then
    return nil
  end
  path = vim.fn.fnamemodify(path, ":p")
  local dir = vim.fn.isdirectory(path) == 1 and path or dirname(path)
  dir = dir:gsub("/$", "")
  if dir == "" then
    dir = "/"
  end
  while true do
    for _, m in ipairs(markers) do
      if exists(dir .. "/" .. m) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- server_settings returns the settings table sent as initializationOptions and
--- as section `pyreload` of workspace/configuration: only what the user set.
function M.server_settings(cfg)
  cfg = cfg or M.config
  local s = {}
  for _, k in ipairs(M.setting_keys) do
    if cfg.settings and cfg.settings[k] ~= nil then
      s[k] = cfg.settings[k]
    end
  end
  if cfg.on_save ~= nil then
    s.onSave = cfg.on_save and true or false
  end
  if next(s) == nil then
    -- An empty Lua table encodes as a JSON array; the server wants an object.
    return vim.empty_dict()
  end
  return s
end

local function root_of(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  if M.config.root_dir then
    return M.config.root_dir(name)
  end
  return M.find_root(name)
end

local function on_report(_, params, ctx)
  if type(params) ~= "table" then
    return
  end
  local client = ctx and vim.lsp.get_client_by_id(ctx.client_id)
  local root = client and client.config.root_dir or M.last_root
  params.at = os.time()
  params.root = root
  M.reports[root or ""] = params
  M.last = params
  if M.config.on_report then
    M.config.on_report(params)
  end
end

local function realpath(p)
  return p and (vim.loop.fs_realpath(p) or p) or nil
end

--- status_root maps the root URI of a pyreload/status notification to the
--- root directory the plugin knows it by: the client's root_dir when it is the
--- same directory (the server reports the canonical path), else the URI's path.
function M.status_root(uri, client_root)
  local ok, path = pcall(vim.uri_to_fname, uri)
  if not ok or not path or path == "" then
    return client_root
  end
  path = path:gsub("(.)/$", "%1")
  if client_root and (client_root == path or realpath(client_root) == realpath(path)) then
    return client_root
  end
  for root in pairs(M.clients) do
    if root == path or realpath(root) == realpath(path) then
      return root
    end
  end
  return path
end

local function on_status(_, params, ctx)
  if type(params) ~= "table" or not M.STATES[params.state] then
    return
  end
  local client = ctx and vim.lsp.get_client_by_id(ctx.client_id)
  local client_root = client and client.config.root_dir or nil
  local root = type(params.root) == "string" and M.status_root(params.root, client_root) or client_root or M.last_root
  local st = {
    root = root,
    uri = params.root,
    state = params.state,
    pids = type(params.pids) == "table" and params.pids or {},
    at = os.time(),
  }
  M.states[root or ""] = st
  M.last_status = st
  if M.config.on_status then
    M.config.on_status(st)
  end
  -- Statuslines and user code: autocmd User PyreloadStatus (the status is in
  -- require("pyreload").last_status, and in the event's data on 0.8+).
  local opts = { pattern = "PyreloadStatus", modeline = false }
  if vim.fn.has("nvim-0.8") == 1 then
    opts.data = st
  end
  local ok, err = pcall(vim.api.nvim_exec_autocmds, "User", opts)
  if not ok then
    vim.notify("pyreload: autocmd User PyreloadStatus failed: " .. tostring(err), vim.log.levels.WARN)
  end
  if vim.o.laststatus > 0 then
    pcall(vim.cmd, "redrawstatus!")
  end
end

local function on_log(err, result, ctx, config)
  local client = ctx and vim.lsp.get_client_by_id(ctx.client_id)
  if client and result and result.message then
    M.logs[client.config.root_dir or ""] = result.message
  end
  return vim.lsp.handlers["window/logMessage"](err, result, ctx, config)
end

local function on_show(err, result, ctx, config)
  if not M.config.notify then
    return
  end
  return vim.lsp.handlers["window/showMessage"](err, result, ctx, config)
end

--- client_config builds the vim.lsp client configuration for a root.
function M.client_config(root)
  local cfg = M.config
  local settings = M.server_settings(cfg)
  return {
    name = "pyreload",
    cmd = cfg.cmd or { cfg.path, "serve", "--stdio" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = settings,
    settings = { pyreload = settings },
    capabilities = cfg.capabilities,
    handlers = {
      ["pyreload/report"] = on_report,
      ["pyreload/status"] = on_status,
      ["window/logMessage"] = on_log,
      ["window/showMessage"] = on_show,
    },
    on_init = function(client)
      -- Neovim 0.7 does not send settings after initialize by itself.
      client.notify("workspace/didChangeConfiguration", { settings = client.config.settings })
      return true
    end,
    on_attach = cfg.on_attach,
    on_exit = function()
      -- The server is gone, and with it the root's interpreters.
      M.states[root] = nil
    end,
  }
end

-- root -> client id (0.7 path; 0.8+ lets vim.lsp.start reuse clients).
M.clients = {}

local function live_client(id)
  local c = id and vim.lsp.get_client_by_id(id)
  if c and not c.is_stopped() then
    return c
  end
  return nil
end

--- attach starts (or reuses) the root's server and attaches it to bufnr.
--- Returns the client id, or nil when the buffer is not under a root.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = root_of(bufnr)
  if not root then
    return nil
  end
  M.last_root = root
  local id
  if has_08() then
    id = vim.lsp.start(M.client_config(root), { bufnr = bufnr, reuse_client = function(c, conf)
      return c.name == conf.name and c.config.root_dir == conf.root_dir and not c.is_stopped()
    end })
  else
    id = M.clients[root]
    if not live_client(id) then
      id = vim.lsp.start_client(M.client_config(root))
    end
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  M.clients[root] = id
  return id
end

--- get_client returns the pyreload client attached to a buffer, or nil.
function M.get_client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = bufnr })
  else
    clients = vim.lsp.buf_get_clients(bufnr)
  end
  for _, c in pairs(clients) do
    if c.name == "pyreload" then
      return c
    end
  end
  return nil
end

--- client returns the pyreload client of a buffer's root, starting it if needed.
function M.client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return M.get_client(bufnr) or live_client(M.attach(bufnr))
end

--- execute sends workspace/executeCommand to the buffer's pyreload server.
function M.execute(command, arguments, bufnr, handler)
  local client = M.client(bufnr)
  if not client then
    vim.notify("pyreload: no pyreload server for this buffer (is it a Python file under a project root?)", vim.log.levels.WARN)
    return false
  end
  client.request("workspace/executeCommand", { command = command, arguments = arguments }, function(err, result)
    if err then
      vim.notify(("pyreload: %s failed: %s"):format(command, err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
    if handler then
      handler(err, result)
    end
  end, bufnr)
  return true
end

--- deep_reload reloads the package of the current buffer, or the named package.
function M.deep_reload(package, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local arg
  if package and package ~= "" then
    arg = { package = package }
  else
    arg = { uri = vim.uri_from_bufnr(bufnr) }
  end
  return M.execute("pyreload.deepReload", { arg }, bufnr)
end

function M.restart(bufnr)
  return M.execute("pyreload.restartInterpreter", {}, bufnr)
end

--- state_line describes a root's interpreters for :PyreloadReport.
function M.state_line(root)
  local st = root and M.states[root]
  if not st then
    return nil
  end
  local pids = {}
  for _, p in ipairs(st.pids or {}) do
    table.insert(pids, tostring(p))
  end
  local what = ({ ready = "ready", restarting = "restarting", failed = "failed" })[st.state] or tostring(st.state)
  if #pids > 0 then
    what = what .. " (pid " .. table.concat(pids, ", ") .. ")"
  end
  return ("pyreload interpreters of %s: %s since %s"):format(st.root or "?", what, os.date("%H:%M:%S", st.at))
end

--- report_lines renders the last report of the current root (or any root),
--- after the state of the root's interpreters.
function M.report_lines(root)
  local r = (root and M.reports[root]) or M.last
  local state = M.state_line(root or (r and r.root) or M.last_root)
  if not r then
    local lines = { "pyreload: no reload has run yet." }
    if state then
      table.insert(lines, 1, state)
    end
    return lines
  end
  local lines = {
    ("pyreload report for package %s (%s)"):format(r.package or "?", os.date("%H:%M:%S", r.at)),
    ("  result:   %s"):format(r.ok and "reloaded" or "rolled back"),
    ("  modules:  %s"):format(tostring(r.modules)),
    ("  duration: %d ms"):format(math.floor((tonumber(r.duration_ms) or 0) + 0.5)),
    ("  stale:    %s"):format(tostring(r.stale)),
  }
  for _, l in ipairs(vim.split(r.summary or "", "\n", true)) do
    if l ~= "" then
      table.insert(lines, "  " .. l)
    end
  end
  if state then
    table.insert(lines, 1, state)
  end
  local log = M.logs[r.root or ""]
  if log then
    table.insert(lines, "")
    for _, l in ipairs(vim.split(log, "\n", true)) do
      table.insert(lines, l)
    end
  end
  return lines
end

--- show_report opens the last report in a scratch buffer.
function M.show_report()
  local lines = M.report_lines(root_of(vim.api.nvim_get_current_buf()))
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].modifiable = false
  vim.api.nvim_buf_set_name(buf, "pyreload://report/" .. buf)
  return buf
end

-- cached_root is root_of for statuslines, which are drawn often: the root of a
-- buffer is looked up once per buffer name (b:pyreload_root).
local function cached_root(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local ok, c = pcall(vim.api.nvim_buf_get_var, buf, "pyreload_root")
  if ok and type(c) == "table" and c.name == name then
    return c.root ~= "" and c.root or nil
  end
  local found, r = pcall(root_of, buf)
  r = found and r or nil
  pcall(vim.api.nvim_buf_set_var, buf, "pyreload_root", { name = name, root = r or "" })
  return r
end

local function report_status(r)
  local what = r.ok and ((tonumber(r.stale) or 0) > 0 and (r.stale .. " stale") or "ok") or "rolled back"
  return ("pyreload %s %s %s"):format(r.package or "", what, os.date("%H:%M:%S", r.at))
end

--- status returns a short string for a statusline, for the current buffer's
--- root (or the given root): "pyreload starting…" until the root's
--- interpreters are ready, "pyreload restarting…", "pyreload failed", else the
--- last reload's result and time ("pyreload ready" before the first reload;
--- "" when no pyreload server runs for the root).
function M.status(root)
  if root == nil then
    root = cached_root(vim.api.nvim_get_current_buf())
    if root == nil or (M.states[root] == nil and M.reports[root] == nil and M.clients[root] == nil) then
      root = M.last_root
    end
  end
  local st = root and M.states[root]
  if st and st.state == "restarting" then
    return "pyreload restarting…"
  elseif st and st.state == "failed" then
    return "pyreload failed"
  end
  local r = (root and M.reports[root]) or M.last
  if r then
    return report_status(r)
  end
  if st then
    return "pyreload ready"
  end
  if root and live_client(M.clients[root]) then
    return "pyreload starting…"
  end
  return ""
end

local function define_commands()
  vim.api.nvim_create_user_command("PyreloadDeepReload", function(o)
    M.deep_reload(o.args)
  end, { nargs = "?", desc = "pyreload: deep reload the current file's package (or the named one)" })
  vim.api.nvim_create_user_command("PyreloadRestart", function()
    M.restart()
  end, { desc = "pyreload: restart the interpreter" })
  vim.api.nvim_create_user_command("PyreloadReport", function()
    M.show_report()
  end, { desc = "pyreload: show the interpreters' state and the last reload report" })
end

--- setup configures the plugin, defines the commands and attaches to Python
--- buffers (including the ones already open).
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  define_commands()
  local group = vim.api.nvim_create_augroup(group_name, { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
      M.attach(buf)
    end
  end
  return M
end

return M
