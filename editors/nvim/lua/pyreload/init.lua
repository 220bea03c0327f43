-- pyreload: Neovim client for `pyreload serve`, the deep-reload language server.
--
--   require("pyreload").setup({ on_save = true })
--
-- Starts one `pyreload serve --stdio` per project root and attaches it to the
-- Python buffers under that root. Works on Neovim 0.7 (vim.lsp.start_client +
-- vim.lsp.buf_attach_client) and 0.8+ (vim.lsp.start). The server reloads on
-- textDocument/didSave, which Neovim sends on :write; on_save = false passes
-- onSave = false to the server.
--
-- This module holds the configuration, setup, starting and attaching the
-- clients, and the public API; the rest lives in:
--   pyreload.root      finding a buffer's project root
--   pyreload.status    pyreload/status and pyreload/report state, status(), the report
--   pyreload.commands  executeCommand requests and the user commands
-- Their state is kept on this module (M.states, M.reports, ...), so it can be
-- read and replaced as before.
local M = {}

-- Settings of DESIGN.md that are passed to the server when set.
M.setting_keys = { "onSave", "packages", "exclude", "entry", "pythonPath", "paths", "hooks", "mode", "debounceMs", "reloadTimeoutMs", "attach" }

M.defaults = {
  -- The pyreload binary (a path or a name on PATH); ignored when cmd is set.
  -- Left at "pyreload": the project's virtualenv's ($VIRTUAL_ENV, then .venv
  -- or venv in the root, where pip installs pyreload's wheel), else PATH's.
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
  -- Other server settings: packages, exclude, entry, pythonPath, mode, debounceMs,
  -- attach ({ { address = "127.0.0.1:7777", tokenFile = "...", remoteRoot = "/app" } }).
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

-- The root of the buffer attached last.
M.last_root = nil

-- root -> client id (0.7 path; 0.8+ lets vim.lsp.start reuse clients).
M.clients = {}

local group_name = "pyreload"

local function has_08()
  return vim.lsp.start ~= nil
end

local function live_client(id)
  local c = id and vim.lsp.get_client_by_id(id)
  if c and not c.is_stopped() then
    return c
  end
  return nil
end

local roots = require("pyreload.root")(M)
local status = require("pyreload.status")(M, { root = roots, live_client = live_client })
local commands = require("pyreload.commands")(M, { root = roots })

M.find_root = roots.find_root
M.status_root = status.status_root
M.state_line = status.state_line
M.report_lines = status.report_lines
M.status = status.status
M.execute = commands.execute
M.deep_reload = commands.deep_reload
M.restart = commands.restart
M.show_report = commands.show_report

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

--- binary returns the server binary for a root, or nil when it is missing:
--- the configured path; for the default "pyreload", the project's virtualenv's
--- ($VIRTUAL_ENV/bin, <root>/.venv/bin, <root>/venv/bin) before PATH's.
function M.binary(root)
  local cfg = M.config
  if cfg.cmd then
    return cfg.cmd[1]
  end
  local candidates = {}
  if cfg.path == M.defaults.path then
    if vim.env.VIRTUAL_ENV and vim.env.VIRTUAL_ENV ~= "" then
      table.insert(candidates, vim.env.VIRTUAL_ENV .. "/bin/pyreload")
    end
    if root then
      table.insert(candidates, root .. "/.venv/bin/pyreload")
      table.insert(candidates, root .. "/venv/bin/pyreload")
    end
  end
  table.insert(candidates, cfg.path)
  for _, c in ipairs(candidates) do
    if vim.fn.executable(c) == 1 then
      return c
    end
  end
  return nil
end

--- missing_binary returns the message naming the missing server binary of a
--- root, or nil when the binary is there.
function M.missing_binary(root)
  if M.binary(root) then
    return nil
  end
  local where = M.config.path == M.defaults.path and " in the project's virtualenv or on PATH" or ""
  return ("pyreload: the language server binary `%s` was not found%s; install pyreload (pip install of its wheel "
    .. "into the project's virtualenv, or make in a checkout) or give its full path: "
    .. "require(\"pyreload\").setup({ path = \"/full/path/to/pyreload\" })"):format(M.config.path, where)
end

-- Roots whose missing binary was reported (once each).
M.warned_missing = {}

--- client_config builds the vim.lsp client configuration for a root.
function M.client_config(root)
  local cfg = M.config
  local settings = M.server_settings(cfg)
  return {
    name = "pyreload",
    cmd = cfg.cmd or { M.binary(root) or cfg.path, "serve", "--stdio" },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = settings,
    settings = { pyreload = settings },
    capabilities = cfg.capabilities,
    handlers = {
      ["pyreload/report"] = status.handlers["pyreload/report"],
      ["pyreload/status"] = status.handlers["pyreload/status"],
      ["window/logMessage"] = status.handlers["window/logMessage"],
      ["window/showMessage"] = status.handlers["window/showMessage"],
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

--- attach starts (or reuses) the root's server and attaches it to bufnr.
--- Returns the client id, or nil when the buffer is not under a root.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = roots.root_of(bufnr)
  if not root then
    return nil
  end
  M.last_root = root
  local missing = M.missing_binary(root)
  if missing then
    if not M.warned_missing[root] then
      M.warned_missing[root] = true
      vim.notify(missing, vim.log.levels.ERROR)
    end
    return nil
  end
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

--- setup configures the plugin, defines the commands and attaches to Python
--- buffers (including the ones already open).
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  commands.define()
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