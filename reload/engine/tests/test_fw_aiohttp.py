"""aiohttp apps across in-place reloads (fw_aiohttp), on Debian's
python3-aiohttp: the app serves on loopback from its own runner in a thread
(its router frozen) while the engine reloads, driven over HTTP with urllib."""

import unittest

from .fwcheck import need
from .harness import run

APP = {
    "web/__init__.py": "",
    "web/views.py": '''
        from aiohttp import web

        routes = web.RouteTableDef()
        COUNT = []


        def word():
            return "one"


        @routes.get("/")
        async def index(request):
            COUNT.append(1)
            return web.json_response({"word": word(), "count": len(COUNT)})


        @routes.get("/gone")
        async def gone(request):
            return web.Response(text="gone")
    ''',
    "web/app.py": '''
        from aiohttp import web

        from . import views


        async def plain(request):
            return web.Response(text="plain")


        def make_app():
            app = web.Application()
            app.add_routes(views.routes)
            app.router.add_get("/plain", plain)
            return app
    ''',
}

STEPS = r'''
import asyncio, threading, socket, urllib.request, urllib.error
from aiohttp import web
import web.app as webapp
import web.views as views

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
PORT = sock.getsockname()[1]
sock.close()
loop = asyncio.new_event_loop()
ready = threading.Event()

async def serve():
    runner = web.AppRunner(webapp.make_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", PORT).start()
    ready.set()

def main():
    asyncio.set_event_loop(loop)
    loop.run_until_complete(serve())
    loop.run_forever()
threading.Thread(target=main, daemon=True).start()
ready.wait(30)

def get(path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (PORT, path), timeout=10) as r:
            return [r.status, r.read().decode()]
    except urllib.error.HTTPError as exc:
        return [exc.code, ""]

seen = []
def step(label, rel, pairs, *paths, tail=""):
    if rel:
        path = os.path.join(ROOT, rel)
        text = open(path).read()
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        edit(rel, text + tail)
    rep = reload("web", mode="inplace")
    seen.append({"label": label, "error": (rep.get("error") or {}).get("message"),
                 "lines": lines(rep), "answers": [get(p) for p in paths]})
'''


@need("aiohttp")
class AiohttpTests(unittest.TestCase):
    maxDiff = None

    def test_handlers_and_routes_follow_edits(self):
        result, _, err = run(APP, STEPS + r'''
step("start", None, [], "/", "/plain")
step("handler body", "web/views.py", [('"count": len(COUNT)}', '"count": len(COUNT), "v": 2}')], "/")
step("helper", "web/views.py", [('return "one"', 'return "two"')], "/")
step("new table route", "web/views.py", [], "/new", "/",
     tail='\n\n@routes.get("/new")\nasync def new(request):\n    return web.Response(text="new")\n')
step("route path", "web/views.py", [('@routes.get("/new")', '@routes.get("/newer")')], "/newer", "/new")
step("removed route", "web/views.py",
     [('@routes.get("/gone")\nasync def gone(request):\n    return web.Response(text="gone")\n', '')],
     "/gone")
step("decorator removed", "web/views.py", [('@routes.get("/newer")\n', '')], "/newer", "/")
step("syntax error", "web/views.py", [('return "two"', 'return "two"(')], "/", "/newer")
RESULT["seen"] = seen
router = [a for a in __import__("gc").get_objects() if isinstance(a, web.Application)][0].router
RESULT["frozen"] = router.frozen
describe = api.inplace.adapters.fw_aiohttp.describe
RESULT["described"] = [describe(r) for r in router.routes() if r.method == "GET"][:2] + [
    describe(views.routes)]
''')
        seen = {s["label"]: s for s in result["seen"]}
        for label, s in seen.items():
            if label != "syntax error":
                self.assertIsNone(s["error"], (label, err))
                self.assertEqual(s["lines"], [], label)
        self.assertEqual(seen["start"]["answers"], [[200, '{"word": "one", "count": 1}'],
                                                    [200, "plain"]])
        # module state (COUNT) is kept
        self.assertEqual(seen["handler body"]["answers"],
                         [[200, '{"word": "one", "count": 2, "v": 2}']])
        self.assertEqual(seen["helper"]["answers"], [[200, '{"word": "two", "count": 3, "v": 2}']])
        self.assertEqual(seen["new table route"]["answers"][0], [200, "new"])
        self.assertEqual(seen["route path"]["answers"], [[200, "new"], [404, ""]])
        self.assertEqual(seen["removed route"]["answers"], [[404, ""]])
        self.assertEqual(seen["decorator removed"]["answers"][0], [404, ""])
        self.assertIn("was never closed", seen["syntax error"]["error"])
        self.assertEqual(seen["syntax error"]["answers"][1], [404, ""])
        self.assertEqual(seen["syntax error"]["answers"][0][0], 200)
        self.assertTrue(result["frozen"])
        self.assertEqual(result["described"], ["route GET / of the aiohttp app",
                                               "route GET /plain of the aiohttp app",
                                               "aiohttp route table"])

    def test_module_level_app_statements(self):
        files = {
            "web/__init__.py": "",
            "web/views.py": "",
            "web/app.py": '''
                from aiohttp import web


                async def plain(request):
                    return web.Response(text="plain")


                app = web.Application()
                app.add_routes([web.get("/plain", plain)])


                def make_app():
                    return app
            ''',
        }
        result, _, err = run(files, STEPS + r'''
step("start", None, [], "/plain")
step("list grows", "web/app.py",
     [('app.add_routes([web.get("/plain", plain)])',
       'async def more(request):\n    return web.Response(text="more")\n\n\n'
       'app.add_routes([web.get("/plain", plain), web.get("/more", more)])')],
     "/more", "/plain")
step("new statement", "web/app.py", [], "/extra",
     tail='\napp.router.add_get("/extra", more)\n')
step("app made again", "web/app.py", [("app = web.Application()", "app = web.Application(client_max_size=10)")],
     "/plain")
RESULT["seen"] = seen
''')
        seen = {s["label"]: s for s in result["seen"]}
        self.assertIsNone(seen["list grows"]["error"], err)
        self.assertEqual(seen["list grows"]["answers"], [[200, "more"], [200, "plain"]])
        self.assertIsNone(seen["new statement"]["error"], err)
        self.assertEqual(seen["new statement"]["answers"], [[200, "more"]])
        self.assertEqual(len(seen["app made again"]["lines"]), 1, seen["app made again"])
        self.assertIn("app.py:9:1: warning: the aiohttp Application `web.app.app` was made again",
                      seen["app made again"]["lines"][0])
        self.assertIn("[restart-needed]", seen["app made again"]["lines"][0])
        self.assertEqual(seen["app made again"]["answers"], [[200, "plain"]])


if __name__ == "__main__":
    unittest.main()
