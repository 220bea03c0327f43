-- pyreload.status: what the server tells the plugin and how it is shown: the
-- handlers of pyreload/report, pyreload/status, window/logMessage and
-- window/showMessage, the per-root state they keep on the pyreload module
-- (reports, logs, last, states, last_status), the statusline text (status())
-- and the lines of :PyreloadReport (report_lines()).
--
-- require("pyreload.status")(M, deps) creates that state on M and returns the
-- functions bound to M; deps: root (pyreload.root), live_client(id).
return function(M, deps)
  local S = {}
  local root_mod, live_client = deps.root, deps.live_client

  -- Per root: the last report ({package, ok, modules, duration_ms, stale, summary, at})
  -- and the last full report the server logged (window/logMessage); M.last is
  -- the most recent report of any root.
  M.reports = {}
  M.logs = {}
  M.last = nil

  -- Per root: the interpreters' state from the last pyreload/status notification
  -- ({root, uri, state, pids, at}); M.last_status is the most recent of any root.
  -- A root with a running client and no entry yet is "starting".
  M.states = {}
  M.last_status = nil

  -- The states pyreload/status can carry.
  M.STATES = { ready = true, restarting = true, failed = true }

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

  --- status_root maps the root URI of a pyreload/status notification to the
  --- root directory the plugin knows it by: the client's root_dir when it is the
  --- same directory (the server reports the canonical path), else the URI's path.
  function S.status_root(uri, client_root)
    local realpath = root_mod.realpath
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

  -- The client's handlers of the server's notifications.
  S.handlers = {
    ["pyreload/report"] = on_report,
    ["pyreload/status"] = on_status,
    ["window/logMessage"] = on_log,
    ["window/showMessage"] = on_show,
  }

  --- state_line describes a root's interpreters for :PyreloadReport.
  function S.state_line(root)
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
  function S.report_lines(root)
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

  local function report_status(r)
    local what = r.ok and ((tonumber(r.stale) or 0) > 0 and (r.stale .. " stale") or "ok") or "rolled back"
    return ("pyreload %s %s %s"):format(r.package or "", what, os.date("%H:%M:%S", r.at))
  end

  --- status returns a short string for a statusline, for the current buffer's
  --- root (or the given root): "pyreload starting…" until the root's
  --- interpreters are ready, "pyreload restarting…", "pyreload failed", else the
  --- last reload's result and time ("pyreload ready" before the first reload;
  --- "" when no pyreload server runs for the root).
  function S.status(root)
    if root == nil then
      root = root_mod.cached_root(vim.api.nvim_get_current_buf())
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

  return S
end
