-- pyreload.commands: asking the server to act (workspace/executeCommand:
-- deep reload, interpreter restart) and the user commands :PyreloadDeepReload,
-- :PyreloadRestart and :PyreloadReport (the report in a scratch buffer).
--
-- require("pyreload.commands")(M, deps) returns the functions bound to the
-- pyreload module M; deps: root (pyreload.root).
return function(M, deps)
  local C = {}
  local root_mod = deps.root

  --- execute sends workspace/executeCommand to the buffer's pyreload server.
  function C.execute(command, arguments, bufnr, handler)
    local client = M.client(bufnr)
    if not client then
      local root = root_mod.root_of(bufnr or 0)
      local missing = root and M.missing_binary(root)
      if missing then
        vim.notify(missing, vim.log.levels.ERROR)
      else
        vim.notify("pyreload: no pyreload server for this buffer (is it a Python file under a project root?)", vim.log.levels.WARN)
      end
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
  function C.deep_reload(package, bufnr)
    bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
    local arg
    if package and package ~= "" then
      arg = { package = package }
    else
      arg = { uri = vim.uri_from_bufnr(bufnr) }
    end
    return M.execute("pyreload.deepReload", { arg }, bufnr)
  end

  function C.restart(bufnr)
    return M.execute("pyreload.restartInterpreter", {}, bufnr)
  end

  --- show_report opens the last report in a scratch buffer.
  function C.show_report()
    local lines = M.report_lines(root_mod.root_of(vim.api.nvim_get_current_buf()))
    vim.cmd("botright new")
    local buf = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "wipe"
    vim.bo[buf].modifiable = false
    vim.api.nvim_buf_set_name(buf, "pyreload://report/" .. buf)
    return buf
  end

  --- define (re)defines the user commands.
  function C.define()
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

  return C
end
