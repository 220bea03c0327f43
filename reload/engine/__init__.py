"""pyreload engine: deep reload of a workspace package inside a live interpreter.

Hosts load this package by executing its modules (registered in sys.modules only
while they execute) and then call ``api.new_state`` once and ``api.handle`` per
request. Every module here is stateless; all state lives in ``state.State``.
"""
