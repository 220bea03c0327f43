"""The compile worker: compiles a reload's sources in a separate process.

A deep reload of a big package spends about a third of its time in
compile(). precompile.Pool runs serve() in child processes of the same
Python, sending it as a code object (no file on disk is needed), so that the
sources compile on other cores while the reloading thread executes the
modules already compiled.

Protocol on stdin/stdout, binary: frames of a 4-byte big-endian length and a
marshal payload. A request frame is a list of (key, path, source bytes,
optimize); its answer frame lists (key, code object or None) in the same
order. None means "compile it yourself": the source raised or warned, and the
reloading interpreter must see the error or warning itself. Nothing else is
ever written to stdout.
"""


def serve():
    """Answer request frames on stdin until it closes."""
    import marshal
    import sys
    import warnings

    # A warning becomes an error here, so the source is compiled again by the
    # reloading interpreter, which shows the warning the usual way.
    warnings.simplefilter("error")
    read = sys.stdin.buffer.read
    out = sys.stdout.buffer
    while True:
        head = read(4)
        if len(head) < 4:
            return
        body = read(int.from_bytes(head, "big"))
        answers = []
        for key, path, data, optimize in marshal.loads(body):
            try:
                code = compile(data, path, "exec", dont_inherit=True, optimize=optimize)
            except Exception:
                code = None
            answers.append((key, code))
        payload = marshal.dumps(answers)
        out.write(len(payload).to_bytes(4, "big") + payload)
        out.flush()
