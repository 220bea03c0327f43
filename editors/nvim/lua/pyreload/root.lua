-- pyreload.root: finding a buffer's project root, the nearest directory above
-- it holding a root marker (or config.root_dir), with a per-buffer cache of
-- the answer for statuslines.
--
-- require("pyreload.root")(M) returns the functions bound to the pyreload
-- module M (its config and its find_root, which setup and tests may replace).
return function(M)
  local R = {}

  local function dirname(p)
    return vim.fn.fnamemodify(p, ":h")
  end

  local function exists(p)
    return vim.loop.fs_stat(p) ~= nil
  end

  --- realpath returns p with symbolic links resolved (p itself when it does
  --- not exist; nil for nil).
  function R.realpath(p)
    return p and (vim.loop.fs_realpath(p) or p) or nil
  end

  --- find_root returns the nearest directory above path (inclusive) holding one
  --- of the root markers, or nil.
  function R.find_root(path, markers)
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

  --- root_of returns the root of a buffer's file, or nil (unnamed buffers too).
  function R.root_of(bufnr)
    local name = vim.api.nvim_buf_get_name(bufnr)
    if name == "" then
      return nil
    end
    if M.config.root_dir then
      return M.config.root_dir(name)
    end
    return M.find_root(name)
  end

  -- cached_root is root_of for statuslines, which are drawn often: the root of a
  -- buffer is looked up once per buffer name (b:pyreload_root).
  function R.cached_root(buf)
    local name = vim.api.nvim_buf_get_name(buf)
    local ok, c = pcall(vim.api.nvim_buf_get_var, buf, "pyreload_root")
    if ok and type(c) == "table" and c.name == name then
      return c.root ~= "" and c.root or nil
    end
    local found, r = pcall(R.root_of, buf)
    r = found and r or nil
    pcall(vim.api.nvim_buf_set_var, buf, "pyreload_root", { name = name, root = r or "" })
    return r
  end

  return R
end
