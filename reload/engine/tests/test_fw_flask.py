"""The Flask adapter (fw_flask.py) on Debian's Flask: an app factory with
blueprints, driven through Flask's test client after its first request (when
Flask refuses setup methods), reloaded in place through the engine.
"""

import subprocess
import unittest

from .harness import run
from .test_scenarios import PYTHON

HAVE_FLASK = subprocess.run([PYTHON, "-c", "import flask"], capture_output=True).returncode == 0

INIT = '''
from flask import Flask


def create_app():
    app = Flask("flaskr")
    from . import auth, blog
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp, url_prefix="/blog")

    @app.route("/hello")
    def hello():
        return "hello"

    return app
'''

AUTH = '''
import functools

from flask import Blueprint, g

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        return "login first" if getattr(g, "user", None) is None and False else view(**kwargs)
    return wrapped


@bp.route("/login")
def login():
    return "login v1"
'''

BLOG = '''
from flask import Blueprint

from .auth import login_required

bp = Blueprint("blog", __name__)
VISITS = []


def title():
    return "Posts"


@bp.route("/")
def index():
    VISITS.append(1)
    return "%s v1" % title()


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create():
    return "create v1"


@bp.route("/old")
def old():
    return "old"
'''

FILES = {"flaskr/__init__.py": INIT, "flaskr/auth.py": AUTH, "flaskr/blog.py": BLOG,
         "main.py": ""}

PRELUDE = '''
import flaskr, flaskr.blog as blog
app = flaskr.create_app()
client = app.test_client()
def get(path, method="GET"):
    r = client.open(path, method=method)
    return "%d %s" % (r.status_code, r.get_data(as_text=True) if r.status_code == 200 else "")
first = [get("/blog/"), get("/blog/create"), get("/auth/login")]
'''


@unittest.skipUnless(HAVE_FLASK, "python3-flask is not installed (.ci/install-deps.sh installs it)")
class FlaskAdapterTests(unittest.TestCase):
    maxDiff = None

    def reload_with(self, blog_text, checks):
        result, _, _ = run(FILES, PRELUDE + '''
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace")
RESULT.update(first=first, ok=rep["ok"], error=rep.get("error"), stale=lines(rep),
              after=[get(p, m) for p, m in %r], visits=len(blog.VISITS))
''' % (blog_text, checks))
        self.assertEqual(result["first"], ["200 Posts v1", "200 create v1", "200 login v1"])
        return result

    def test_view_body_helper_and_decorated_view_serve_new_code(self):
        text = BLOG.replace('"Posts"', '"Articles"').replace(
            '"%s v1" % title()', '"%s v2" % title()').replace('"create v1"', '"create v2"')
        result = self.reload_with(text, [("/blog/", "GET"), ("/blog/create", "GET")])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["200 Articles v2", "200 create v2"])
        self.assertEqual(result["visits"], 2)  # module state kept

    def test_new_route_on_a_blueprint_after_the_first_request(self):
        text = BLOG + '''

@bp.route("/about")
def about():
    return "about " + title()
'''
        result = self.reload_with(text, [("/blog/about", "GET"), ("/blog/", "GET")])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["200 about Posts", "200 Posts v1"])
        self.assertEqual(result["stale"], [])

    def test_changed_route_decorator_moves_the_decorated_view(self):
        text = BLOG.replace('@bp.route("/create", methods=("GET", "POST"))',
                            '@bp.route("/new", methods=("GET", "PUT"))').replace(
            '"create v1"', '"create v2"')
        result = self.reload_with(text, [("/blog/new", "PUT"), ("/blog/create", "GET"),
                                         ("/blog/new", "POST")])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["200 create v2", "404 ", "405 "])

    def test_removed_route_is_removed(self):
        text = BLOG[:BLOG.index('@bp.route("/old")')]
        result = self.reload_with(text, [("/blog/old", "GET"), ("/blog/", "GET")])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["404 ", "200 Posts v1"])

    def test_route_decorator_removed_removes_the_route_keeps_the_function(self):
        text = BLOG.replace('@bp.route("/old")\n', '')
        result = self.reload_with(text, [("/blog/old", "GET")])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["404 "])

    def test_syntax_error_rolls_back_and_the_app_serves_on(self):
        text = BLOG.replace('@bp.route("/old")', '@bp.route("/older")') + "\ndef broken(:\n"
        result = self.reload_with(text, [("/blog/old", "GET"), ("/blog/", "GET"),
                                         ("/blog/older", "GET")])
        self.assertFalse(result["ok"])
        self.assertEqual(result["after"], ["200 old", "200 Posts v1", "404 "])

    def test_error_in_a_rerun_route_rolls_its_endpoint_back(self):
        # The changed decorator's def runs, then a later statement raises:
        # the endpoint taken out before it ran is back, setup closed again.
        text = BLOG.replace('@bp.route("/old")', '@bp.route("/older")') + "\nraise RuntimeError('no')\n"
        result, _, _ = run(FILES, PRELUDE + '''
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace")
RESULT.update(ok=rep["ok"], after=[get("/blog/old"), get("/blog/older")],
              closed="_check_setup_finished" not in vars(app),
              rules=sorted(r.rule for r in app.url_map.iter_rules()))
''' % text)
        self.assertFalse(result["ok"])
        self.assertEqual(result["after"], ["200 old", "404 "])
        self.assertTrue(result["closed"])
        self.assertEqual(result["rules"], ["/auth/login", "/blog/", "/blog/create", "/blog/old",
                                           "/hello", "/static/<path:filename>"])

    def test_edit_after_a_rolled_back_syntax_error_runs_only_the_edit(self):
        # The failed reload's traceback reads the broken file (linecache): that
        # is not what the module was loaded from, so the next edit is precise.
        broken = BLOG.replace("def old():", "def old(:")
        fixed = BLOG.replace('"old"', '"old v2"')
        result, _, _ = run(FILES, PRELUDE + '''
edit("flaskr/blog.py", %r)
bad = reload("flaskr", mode="inplace")
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace")
RESULT.update(bad=bad["ok"], ok=rep["ok"], reset=rep["reset"], same=blog.bp is app.blueprints["blog"],
              after=[get("/blog/old"), get("/blog/")])
''' % (broken, fixed))
        self.assertFalse(result["bad"])
        self.assertTrue(result["ok"])
        self.assertEqual(result["reset"], [])
        self.assertTrue(result["same"])
        self.assertEqual(result["after"], ["200 old v2", "200 Posts v1"])

    def test_request_hooks_follow_the_edit(self):
        # A blueprint's hooks are copied into the app once, at registration:
        # a new one, one moved to the whole app, one removed follow the edit.
        base = BLOG.replace("from flask import Blueprint", "from flask import Blueprint, g") + '''

@bp.after_request
def tag(response):
    response.headers["X-Tag"] = "blog"
    return response


@bp.after_request
def old_hook(response):
    response.headers["X-Old"] = "1"
    return response
'''
        edited = base.replace("@bp.after_request\ndef tag", "@bp.after_app_request\ndef tag")
        edited = edited[:edited.index("@bp.after_request\ndef old_hook")] + '''@bp.before_request
def mark():
    g.mark = "marked"


@bp.route("/mark")
def show_mark():
    return g.mark


@bp.errorhandler(404)
def missing(error):
    return "no such post", 404


@bp.route("/post/<int:n>")
def post(n):
    from flask import abort
    abort(404)
'''
        result, _, _ = run(dict(FILES, **{"flaskr/blog.py": base}), PRELUDE + '''
def headers(path):
    r = client.get(path)
    return [r.headers.get("X-Tag"), r.headers.get("X-Old")]
before = [headers("/blog/"), headers("/hello")]
edit("flaskr/blog.py", %r)
rep = reload("flaskr", mode="inplace")
RESULT.update(ok=rep["ok"], error=rep.get("error"), before=before,
              after=[headers("/blog/"), headers("/hello")], mark=get("/blog/mark"),
              missing=client.get("/blog/post/3").get_data(as_text=True),
              hooks=len(app.after_request_funcs[None]) + len(app.after_request_funcs["blog"]))
''' % edited)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["before"], [["blog", "1"], [None, None]])
        self.assertEqual(result["after"], [["blog", None], ["blog", None]])
        self.assertEqual(result["mark"], "200 marked")
        self.assertEqual(result["missing"], "no such post")
        self.assertEqual(result["hooks"], 1)

    def test_class_view_gains_and_loses_http_methods(self):
        files = {"webapp/__init__.py": "", "webapp/web.py": '''
from flask import Flask
from flask.views import MethodView

app = Flask("webapp")


class Items(MethodView):
    def get(self):
        return "list v1"

    def delete(self):
        return "deleted"


app.add_url_rule("/items", view_func=Items.as_view("items"))
''', "main.py": ""}
        result, _, _ = run(files, '''
from webapp import web
client = web.app.test_client()
def call(method):
    r = client.open("/items", method=method)
    return "%%d %%s" %% (r.status_code, r.get_data(as_text=True) if r.status_code == 200 else "")
first = [call("GET"), call("POST"), call("DELETE")]
edit("webapp/web.py", %r)
rep = reload("webapp", mode="inplace")
RESULT.update(first=first, ok=rep["ok"], after=[call("GET"), call("POST"), call("DELETE")])
''' % files["webapp/web.py"].replace('"list v1"', '"list v2"').replace(
            '    def delete(self):\n        return "deleted"\n',
            '    def post(self):\n        return "created"\n'))
        self.assertEqual(result["first"], ["200 list v1", "405 ", "200 deleted"])
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["after"], ["200 list v2", "200 created", "405 "])

    def test_new_route_on_an_app_in_a_module(self):
        files = {"webapp/__init__.py": "", "webapp/web.py": '''
from flask import Flask
app = Flask("webapp")


@app.route("/")
def index():
    return "index"
''', "main.py": ""}
        result, _, _ = run(files, '''
from webapp import web
client = web.app.test_client()
first = client.get("/").get_data(as_text=True)
edit("webapp/web.py", open(os.path.join(ROOT, "webapp/web.py")).read() + """

@app.route("/items/<int:n>")
def item(n):
    return "item %d" % n
""")
rep = reload("webapp", mode="inplace")
from webapp.web import app
RESULT.update(first=first, ok=rep["ok"], item=client.get("/items/3").get_data(as_text=True),
              closed="_check_setup_finished" not in vars(app))
''')
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["item"], "item 3")
        self.assertTrue(result["closed"])

    def test_describe_names_views_as_users_know_them(self):
        result, _, _ = run(FILES, PRELUDE + '''
fw = api.adapters.fw_flask
RESULT.update(view=fw.describe(blog.index), wrapped=fw.describe(blog.create.__wrapped__),
              app=fw.describe(app), bp=fw.describe(blog.bp), other=fw.describe(len))
''')
        self.assertEqual(result["view"], "view `blog.index` of Flask app `flaskr`")
        self.assertEqual(result["wrapped"], "view `blog.create` of Flask app `flaskr`")
        self.assertEqual(result["app"], "Flask app `flaskr`")
        self.assertEqual(result["bp"], "blueprint `blog` of Flask app `flaskr`")
        self.assertIsNone(result["other"])


if __name__ == "__main__":
    unittest.main()
