"""The Flask adapter on Debian's Flask, for what a reload makes again
(flask_remade.py): a blueprint, a custom route decorator's registration, an
app, a module that runs whole; the same app and client as test_fw_flask.
"""

import unittest

from .harness import run
from .test_fw_flask import BLOG, FILES, HAVE_FLASK, PRELUDE


@unittest.skipUnless(HAVE_FLASK, "python3-flask is not installed (.ci/install-deps.sh installs it)")
class FlaskRemadeTests(unittest.TestCase):
    maxDiff = None

    def test_blueprint_made_again_replaces_the_old_one(self):
        # The module runs whole (reset): a new Blueprint object with every
        # route; it takes the old one's place, with the app's url_prefix.
        text = BLOG.replace('"%s v1" % title()', '"%s v3" % title()') + '''

@bp.route("/about")
def about():
    return "about"
'''
        result, _, _ = run(FILES, PRELUDE + '''
held = [blog.bp]
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace", reset=["flaskr.blog"])
RESULT.update(ok=rep["ok"], stale=lines(rep), new_bp=blog.bp is not held[0],
              registered=app.blueprints["blog"] is blog.bp,
              after=[get("/blog/"), get("/blog/about"), get("/blog/create"), get("/about")],
              rules=sorted(r.rule for r in app.url_map.iter_rules()))
''' % text)
        self.assertTrue(result["ok"], result)
        self.assertTrue(result["new_bp"], result)
        self.assertTrue(result["registered"])
        self.assertEqual(result["after"], ["200 Posts v3", "200 about", "200 create v1", "404 "])
        self.assertEqual(result["rules"], ["/auth/login", "/blog/", "/blog/about", "/blog/create",
                                           "/blog/old", "/hello", "/static/<path:filename>"])

    def test_custom_route_decorator_registered_again_replaces_its_endpoint(self):
        # A decorator of the user's own that calls bp.route: the source check
        # does not know it, so the registration itself replaces the endpoint.
        text = BLOG.replace("bp = Blueprint(\"blog\", __name__)\n", '''bp = Blueprint("blog", __name__)


def page(path):
    return bp.route(path)
''').replace('@bp.route("/old")', '@page("/old")')
        moved = text.replace('@page("/old")', '@page("/older")')
        result, _, _ = run(dict(FILES, **{"flaskr/blog.py": text}), PRELUDE.replace(
            'get("/auth/login")]', 'get("/auth/login"), get("/blog/old")]') + '''
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace")
RESULT.update(first=first, ok=rep["ok"], error=rep.get("error"),
              after=[get("/blog/older"), get("/blog/old")],
              closed="add_url_rule" not in vars(app))
''' % moved)
        self.assertEqual(result["first"][-1], "200 old")
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["200 old", "404 "])
        self.assertTrue(result["closed"])

    def test_body_edits_after_the_blueprint_was_made_again_reach_the_app(self):
        result, _, _ = run(FILES, PRELUDE + '''
edit("flaskr/blog.py", %r)
rep1 = reload("flaskr", mode="inplace", reset=["flaskr.blog"])
edit("flaskr/blog.py", %r)
rep2 = reload("flaskr", mode="inplace")
RESULT.update(ok=[rep1["ok"], rep2["ok"]], reset=rep2["reset"],
              after=[get("/blog/"), get("/blog/create")])
''' % (BLOG.replace('"create v1"', '"create v2"'),
       BLOG.replace('"create v1"', '"create v3"').replace('"%s v1" % title()', '"%s v3" % title()')))
        self.assertEqual(result["ok"], [True, True])
        self.assertEqual(result["reset"], [])
        self.assertEqual(result["after"], ["200 Posts v3", "200 create v3"])

    def test_app_made_again_hands_its_routes_to_the_served_app(self):
        files = {"webapp/__init__.py": "", "webapp/web.py": '''
from flask import Flask
app = Flask("webapp")
app.config["GREETING"] = "hi"


@app.route("/")
def index():
    return "index v1"
''', "main.py": ""}
        result, _, _ = run(files, '''
from webapp import web
served = [web.app]
client = served[0].test_client()
first = client.get("/").get_data(as_text=True)
edit("webapp/web.py", """
from flask import Flask
app = Flask("webapp")
app.config["GREETING"] = "hello"


@app.route("/")
def index():
    return "index v2"


@app.route("/new")
def new():
    return "new"
""")
rep = reload("webapp", mode="inplace", reset=["webapp.web"])
edit("webapp/web.py", open(os.path.join(ROOT, "webapp/web.py")).read().replace("index v2", "index v3"))
rep2 = reload("webapp", mode="inplace")
RESULT.update(first=first, ok=[rep["ok"], rep2["ok"]], stale=lines(rep),
              same=web.app is served[0],
              after=[client.get(p).get_data(as_text=True) for p in ("/", "/new")])
''')
        self.assertEqual(result["first"], "index v1")
        self.assertEqual(result["ok"], [True, True])
        self.assertTrue(result["same"])
        self.assertEqual(result["after"], ["index v3", "new"])
        self.assertEqual(result["stale"], [
            "webapp/web.py:3:1: warning: Flask app `webapp` was made again: it serves the new "
            "routes, but its config changed (GREETING) and the server keeps the old config: "
            "restart the app to apply it [restart-needed]"])

    def test_module_of_unknown_source_runs_whole_and_keeps_other_modules_routes(self):
        # The source views.py was loaded from is unknown (as for a module
        # imported before the agent attached): it runs whole. Its decorated
        # route registers again (replacing its endpoint); the view routed by
        # add_url_rule in routes.py, which does not run, stays routed.
        files = {"shop/__init__.py": "", "shop/views.py": '''
from .app import app


@app.route("/a")
def a():
    return "a v1"


def b():
    return "b v1"
''', "shop/app.py": '''
from flask import Flask
app = Flask("shop")
''', "shop/routes.py": '''
from .app import app
from . import views
app.add_url_rule("/b", view_func=views.b)
''', "main.py": ""}
        result, _, _ = run(files, '''
import shop.routes
from shop.app import app
client = app.test_client()
first = [client.get(p).get_data(as_text=True) for p in ("/a", "/b")]
path = os.path.join(ROOT, "shop/views.py")
state.sources.known.pop(state.sources.real(path))
edit("shop/views.py", open(path).read().replace("v1", "v2"))
rep = reload("shop", mode="inplace")
RESULT.update(first=first, ok=rep["ok"], error=rep.get("error"), reset=rep["reset"],
              modules=rep["modules"],
              after=[client.get(p).get_data(as_text=True) for p in ("/a", "/b")])
''')
        self.assertEqual(result["first"], ["a v1", "b v1"])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["modules"], ["shop.views"])
        self.assertEqual(result["after"], ["a v2", "b v2"], result)


if __name__ == "__main__":
    unittest.main()
