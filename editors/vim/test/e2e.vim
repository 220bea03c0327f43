" End to end with Vim + ALE and the real pyreload serve (run by ../test.sh).
" Each check appends "ok NAME" or "not ok NAME: why" to $PYRELOAD_TEST_RESULT,
" then "done". The workspace ($PYRELOAD_TEST_ROOT) is editors/fixtures with a
" web app as its entry (editors/lib): what it serves shows which hello runs.
let s:root = $PYRELOAD_TEST_ROOT
let s:result = $PYRELOAD_TEST_RESULT
let s:says = '/usr/bin/python3 ' . shellescape($PYRELOAD_TEST_LIB . '/app_says.py') . ' ' . shellescape(s:root)
call writefile([], s:result)

filetype on
set hidden
let g:ale_linters = {'python': ['pyreload']}
let g:ale_linters_explicit = 1
let g:ale_python_pyreload_executable = $PYRELOAD_BIN
let g:ale_lint_on_text_changed = 'never'
let g:ale_lint_on_insert_leave = 0
let g:ale_echo_cursor = 0
let g:ale_set_signs = 0
let g:ale_set_highlights = 0

function! s:Log(line) abort
  call writefile([a:line], s:result, 'a')
endfunction

function! s:Check(name, ok, why) abort
  call s:Log((a:ok ? 'ok ' : 'not ok ') . a:name . (a:ok ? '' : ': ' . a:why))
  return a:ok
endfunction

" Wait processes channel messages (ALE's server) until cond is true.
function! s:Wait(cond, ms) abort
  let l:start = reltime()
  while !eval(a:cond)
    if reltimefloat(reltime(l:start)) * 1000 > a:ms
      return 0
    endif
    sleep 50m
  endwhile
  return 1
endfunction

function! s:Stale(buf) abort
  let l:info = get(g:ale_buffer_info, a:buf, {})
  return filter(copy(get(l:info, 'loclist', [])), 'get(v:val, "code", "") is# "stale-import"')
endfunction

function! s:Says() abort
  return trim(system(s:says))
endfunction

" The code action menu: answer with the number of the rebind action and
" remember what was offered.
let g:offered = ''
runtime autoload/ale/util.vim
function! ale#util#Input(message, value, ...) abort
  let g:offered = a:message
  for l:line in split(a:message, "\n")
    let l:m = matchlist(l:line, '^\(\d\+\)) Rebind ')
    if !empty(l:m)
      return l:m[1]
    endif
  endfor
  return ''
endfunction

function! s:Run() abort
  execute 'edit ' . fnameescape(s:root . '/app/views.py')
  let s:views = bufnr('%')
  ALELint
  if !s:Check('the app started by the server serves', s:Wait('filereadable(s:root . "/.port")', 120000) && s:Says() is# 'hello from shop', 'no .port or ' . s:Says())
    return
  endif
  execute 'edit ' . fnameescape(s:root . '/shop/core.py')
  ALELint
  %s/hello from shop/hello, edited/
  write
  let l:stale = s:Wait('len(s:Stale(s:views)) > 0', 60000)
  if !s:Check('stale-import on the import line after :write', l:stale && s:Stale(s:views)[0].lnum == 2,
  \ string(get(g:ale_buffer_info, s:views, {})))
    return
  endif
  call s:Check('the app still runs the old hello', s:Says() is# 'hello from shop', s:Says())
  execute 'buffer ' . s:views
  call cursor(2, 1)
  ALECodeAction
  call s:Wait('g:offered isnot# ""', 30000)
  call s:Check(':ALECodeAction offers rebind, patch and reload dependents without data or source',
  \ g:offered =~# 'Rebind `hello`' && g:offered =~# 'Patch old' && g:offered =~# 'Reload app.views', g:offered)
  call s:Check('the rebind clears the diagnostic', s:Wait('empty(s:Stale(s:views))', 30000), string(s:Stale(s:views)))
  call s:Check('the app serves the new code', s:Wait('s:Says() is# "hello, edited"', 30000), s:Says())
endfunction

try
  call s:Run()
catch
  call s:Log('not ok ' . v:exception . ' at ' . v:throwpoint)
endtry
call s:Log('done')
qa!
