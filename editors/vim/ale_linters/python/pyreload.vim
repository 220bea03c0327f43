" pyreload for ALE: runs `pyreload serve --stdio` as a language server for
" Python buffers. On :write the saved file's package is reloaded in the
" project's running interpreter; stale references show as diagnostics and
" :ALECodeAction offers the quick fixes. Put editors/vim on 'runtimepath'
" (or copy this file to ~/.vim/ale_linters/python/) and enable the linter:
"   let g:ale_linters = {'python': ['pyreload']}
" g:ale_python_pyreload_executable: the binary (default: pyreload on PATH).

call ale#Set('python_pyreload_executable', 'pyreload')

function! ale_linters#python#pyreload#GetExecutable(buffer) abort
    return ale#Var(a:buffer, 'python_pyreload_executable')
endfunction

call ale#linter#Define('python', {
\   'name': 'pyreload',
\   'lsp': 'stdio',
\   'executable': function('ale_linters#python#pyreload#GetExecutable'),
\   'command': '%e serve --stdio',
\   'project_root': function('ale#python#FindProjectRoot'),
\})
