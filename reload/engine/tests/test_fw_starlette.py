"""Starlette and FastAPI apps across in-place reloads (fw_starlette with
fw_pydantic), on Debian's packages, driven through the apps' own TestClient,
each test in a fresh interpreter (harness.py)."""

import unittest

from .fwcheck import need
from .harness import run

API = {
    "svc/__init__.py": "",
    "svc/models.py": '''
        from pydantic import BaseModel, validator


        class Item(BaseModel):
            name: str
            price: float = 0

            @validator("name")
            def strip(cls, v):
                return v.strip()
    ''',
    "svc/deps.py": '''
        def token():
            return "t1"
    ''',
    "svc/items.py": '''
        from fastapi import APIRouter, Depends

        from . import deps
        from .models import Item

        router = APIRouter(prefix="/items", tags=["items"])


        def label(n):
            return "item %d" % n


        @router.get("/{item_id}")
        def read_item(item_id: int):
            return {"id": item_id, "label": label(item_id)}


        @router.post("/")
        def create(item: Item, tok: str = Depends(deps.token)):
            return {"item": item.dict(), "tok": tok}


        @router.get("/model/{n}", response_model=Item)
        def as_model(n: int):
            """Made from a number."""
            return {"name": "n%d" % n, "qty": n}


        @router.get("/typed")
        def typed() -> Item:
            return {"name": "t", "extra": 1}


        @router.get("/old/one")
        def old_one():
            return "old"
    ''',
    "svc/main.py": '''
        from fastapi import FastAPI

        from . import items

        app = FastAPI()
        HITS = []
        app.include_router(items.router, prefix="/v1", tags=["v1"])


        @app.get("/")
        def root():
            HITS.append(1)
            return {"v": 1, "hits": len(HITS)}
    ''',
}

STEPS = r'''
from fastapi.testclient import TestClient
import svc.main
app = svc.main.app
client = TestClient(app)
seen = []
def step(label, rel, pairs, *reqs, tail=""):
    if rel:
        path = os.path.join(ROOT, rel)
        text = open(path).read()
        for old, new in pairs:
            assert old in text, old
            text = text.replace(old, new)
        edit(rel, text + tail)
    rep = reload("svc", mode="inplace")
    got = {"label": label, "error": (rep.get("error") or {}).get("message"),
           "lines": lines(rep), "answers": []}
    for req in reqs:
        method, url = req[0], req[1]
        resp = client.request(method, url, json=req[2] if len(req) > 2 else None)
        try:
            body = resp.json()
        except ValueError:
            body = resp.text
        got["answers"].append([resp.status_code, body])
    got["paths"] = [getattr(r, "path", None) for r in app.router.routes
                    if getattr(r, "path", "").startswith(("/v", "/n"))]
    seen.append(got)
    return got
'''


@need("fastapi", "httpx")
class FastAPITests(unittest.TestCase):
    maxDiff = None

    def test_routes_follow_edits(self):
        result, _, err = run(API, STEPS + r'''
step("start", None, [], ("GET", "/"), ("GET", "/v1/items/3"))
step("body", "svc/main.py", [('"v": 1', '"v": 2')], ("GET", "/"))
step("helper", "svc/items.py", [('"item %d"', '"thing %d"')], ("GET", "/v1/items/3"))
step("signature", "svc/items.py",
     [("def read_item(item_id: int):", "def read_item(item_id: int, q: str = 'none'):"),
      ('"label": label(item_id)}', '"label": label(item_id), "q": q}')],
     ("GET", "/v1/items/3?q=x"))
step("new router route", "svc/items.py", [], ("GET", "/v1/items/new/x"),
     tail='\n\n@router.get("/new/x")\ndef new_x():\n    return "new"\n')
step("new app route", "svc/main.py", [], ("GET", "/new"),
     tail='\n\n@app.get("/new")\ndef new():\n    return "app new"\n')
step("removed route", "svc/items.py",
     [('@router.get("/old/one")\ndef old_one():\n    return "old"\n', '')],
     ("GET", "/v1/items/old/one"))
step("decorator path", "svc/items.py", [('@router.get("/{item_id}")', '@router.get("/by-id/{item_id}")')],
     ("GET", "/v1/items/by-id/4"), ("GET", "/v1/items/4"))
step("dependency", "svc/deps.py", [('"t1"', '"t2"')], ("POST", "/v1/items/", {"name": " a "}))
step("dependency signature", "svc/deps.py", [('def token():\n    return "t2"', 'def token(who: str = "anon"):\n    return "t2-" + who')],
     ("POST", "/v1/items/?who=me", {"name": " a "}))
step("dependency back", "svc/deps.py", [('def token(who: str = "anon"):\n    return "t2-" + who', 'def token():\n    return "t2"')])
step("derived", "svc/items.py", [('"""Made from a number."""', '"""Made of a number."""'),
                                 ("def typed() -> Item:", "def typed() -> dict:")],
     ("GET", "/v1/items/typed"))
RESULT["doc"] = [r.description for r in app.router.routes if getattr(r, "path", "") == "/v1/items/model/{n}"]
step("model field", "svc/models.py", [("    price: float = 0\n", "    price: float = 0\n    qty: int = 1\n")],
     ("POST", "/v1/items/", {"name": " a ", "qty": 5}), ("GET", "/v1/items/model/7"))
step("validator", "svc/models.py", [("v.strip()", "v.strip().upper()")],
     ("POST", "/v1/items/", {"name": " a "}))
step("decorator removed", "svc/items.py", [('@router.get("/new/x")\n', '')], ("GET", "/v1/items/new/x"))
step("decorator back", "svc/items.py", [('def new_x():', '@router.get("/new/x")\ndef new_x():')],
     ("GET", "/v1/items/new/x"))
step("include again", "svc/main.py", [('prefix="/v1", tags=["v1"]', 'prefix="/v2", tags=["v2"]')],
     ("GET", "/v2/items/model/2"), ("GET", "/v1/items/model/2"))
step("include back", "svc/main.py", [('prefix="/v2", tags=["v2"]', 'prefix="/v1", tags=["v1"]')])
step("failed run", "svc/main.py", [], ("GET", "/late"),
     tail='\n\n@app.get("/late")\ndef late():\n    return "late"\n\n\nBROKEN = 1 / 0\n')
edit("svc/main.py", open(os.path.join(ROOT, "svc/main.py")).read().split("\n\n@app.get(\"/late\")")[0] + "\n")
step("syntax error", "svc/items.py", [('return "new"', 'return "new"(')],
     ("GET", "/v1/items/new/x"), ("GET", "/"))
RESULT["seen"] = seen
RESULT["same_app"] = svc.main.app is app
''')
        seen = {s["label"]: s for s in result["seen"]}
        for label, s in seen.items():
            if label not in ("syntax error", "failed run"):
                self.assertIsNone(s["error"], (label, err))
        self.assertEqual(seen["start"]["answers"], [[200, {"v": 1, "hits": 1}],
                                                    [200, {"id": 3, "label": "item 3"}]])
        # the endpoint's body: module state (HITS) kept
        self.assertEqual(seen["body"]["answers"], [[200, {"v": 2, "hits": 2}]])
        self.assertEqual(seen["helper"]["answers"], [[200, {"id": 3, "label": "thing 3"}]])
        self.assertEqual(seen["signature"]["answers"],
                         [[200, {"id": 3, "label": "thing 3", "q": "x"}]])
        self.assertEqual(seen["new router route"]["answers"], [[200, "new"]])
        self.assertEqual(seen["new router route"]["paths"],
                         ["/v1/items/{item_id}", "/v1/items/", "/v1/items/model/{n}",
                          "/v1/items/typed", "/v1/items/old/one", "/v1/items/new/x"])
        self.assertEqual(seen["new app route"]["answers"], [[200, "app new"]])
        self.assertEqual(seen["removed route"]["answers"], [[404, {"detail": "Not Found"}]])
        self.assertEqual(seen["decorator path"]["answers"][0],
                         [200, {"id": 4, "label": "thing 4", "q": "none"}])
        self.assertEqual(seen["decorator path"]["answers"][1][0], 404)  # the old path is gone
        self.assertEqual(seen["decorator path"]["paths"],
                         ["/v1/items/by-id/{item_id}", "/v1/items/", "/v1/items/model/{n}",
                          "/v1/items/typed", "/v1/items/new/x", "/new"])
        self.assertEqual(seen["dependency"]["answers"],
                         [[200, {"item": {"name": "a", "price": 0.0}, "tok": "t2"}]])
        self.assertEqual(seen["dependency signature"]["answers"],
                         [[200, {"item": {"name": "a", "price": 0.0}, "tok": "t2-me"}]])
        self.assertEqual(seen["derived"]["answers"], [[200, {"name": "t", "extra": 1}]])
        self.assertEqual(result["doc"], ["Made of a number."])
        self.assertEqual(seen["model field"]["answers"],
                         [[200, {"item": {"name": "a", "price": 0.0, "qty": 5}, "tok": "t2"}],
                          [200, {"name": "n7", "price": 0.0, "qty": 7}]])
        self.assertEqual(seen["validator"]["answers"],
                         [[200, {"item": {"name": "A", "price": 0.0, "qty": 1}, "tok": "t2"}]])
        self.assertEqual(seen["decorator removed"]["answers"], [[404, {"detail": "Not Found"}]])
        self.assertEqual(seen["decorator back"]["answers"], [[200, "new"]])
        self.assertEqual(seen["include again"]["answers"],
                         [[200, {"name": "N2", "price": 0.0, "qty": 2}], [404, {"detail": "Not Found"}]])
        self.assertEqual(seen["include again"]["paths"],
                         ["/v2/items/by-id/{item_id}", "/v2/items/", "/v2/items/model/{n}",
                          "/v2/items/typed", "/v2/items/new/x", "/new"])
        self.assertEqual(seen["include back"]["paths"],
                         ["/v1/items/by-id/{item_id}", "/v1/items/", "/v1/items/model/{n}",
                          "/v1/items/typed", "/v1/items/new/x", "/new"])
        self.assertIn("division by zero", seen["failed run"]["error"])
        self.assertEqual(seen["failed run"]["answers"], [[404, {"detail": "Not Found"}]])
        self.assertIn("was never closed", seen["syntax error"]["error"])
        self.assertEqual(seen["syntax error"]["answers"][0], [200, "new"])
        self.assertEqual(seen["syntax error"]["answers"][1][0], 200)
        self.assertTrue(result["same_app"])

    def test_app_made_again_keeps_the_served_object(self):
        files = {
            "svc/__init__.py": "",
            "svc/main.py": '''
                from starlette.applications import Starlette
                from starlette.responses import PlainTextResponse
                from starlette.routing import Route


                def home(request):
                    return PlainTextResponse("home")


                routes = [Route("/", home)]
                app = Starlette(routes=routes)
            ''',
            "svc/fast.py": '''
                from fastapi import FastAPI

                api = FastAPI(title="one")


                @api.get("/items/{item_id}")
                def item(item_id: int):
                    return item_id
            ''',
        }
        result, _, err = run(files, STEPS.replace("import svc.main", "import svc.main, svc.fast")
                             + r'''
fast = TestClient(svc.fast.api)
step("new route in the list", "svc/main.py",
     [('routes = [Route("/", home)]', 'def new(request):\n    return PlainTextResponse("new")\n\n\n'
       'routes = [Route("/", home), Route("/n", new)]')],
     ("GET", "/n"), ("GET", "/"))
got = step("app arguments", "svc/main.py", [("Starlette(routes=routes)", "Starlette(debug=True, routes=routes)")],
           ("GET", "/n"))
fast.get("/items/1")  # the app has started: its middleware stack is built
step("new middleware", "svc/fast.py", [],
     tail='\n\n@api.middleware("http")\nasync def stamp(request, call_next):\n'
          '    response = await call_next(request)\n    response.headers["x-stamp"] = "s1"\n'
          '    return response\n')
stamps = [fast.get("/items/1").headers.get("x-stamp")]
step("middleware body", "svc/fast.py", [('"s1"', '"s2"')])
stamps.append(fast.get("/items/1").headers.get("x-stamp"))
step("middleware again", "svc/fast.py", [('@api.middleware("http")', '@api.middleware("http")  # again')])
response = fast.get("/items/1")
stamps.append(response.headers.get("x-stamp"))
stamps.append(len(svc.fast.api.user_middleware))
RESULT["stamps"] = stamps
step("title", "svc/fast.py", [('title="one"', 'title="two"')])
RESULT.update(seen=seen, same=svc.main.app is app, fast=fast.get("/items/5").json(),
              title=fast.get("/openapi.json").json()["info"]["title"],
              described=[api.inplace.adapters.fw_starlette.describe(x) for x in (
                  svc.fast.api.router.routes[-1], svc.fast.api, svc.main.app, svc.main.app.router)])
''')
        seen = {s["label"]: s for s in result["seen"]}
        self.assertIsNone(seen["new route in the list"]["error"], err)
        self.assertEqual(seen["new route in the list"]["answers"], [[200, "new"], [200, "home"]])
        self.assertEqual(seen["new route in the list"]["lines"], [])
        self.assertEqual(seen["app arguments"]["answers"], [[200, "new"]])
        self.assertEqual(len(seen["app arguments"]["lines"]), 1)
        self.assertIn("main.py:16:1: warning: the Starlette app `svc.main.app` was made again and "
                      "its debug changed", seen["app arguments"]["lines"][0])
        self.assertIn("[restart-needed]", seen["app arguments"]["lines"][0])
        self.assertTrue(result["same"])
        self.assertIsNone(seen["new middleware"]["error"], err)
        self.assertEqual(result["stamps"], ["s1", "s2", "s2", 1])
        self.assertEqual(result["fast"], 5)
        # the new app's docs routes came with its routes: its OpenAPI title shows
        self.assertEqual(result["title"], "two")
        self.assertEqual(result["described"], ["route GET /items/{item_id} of the FastAPI app",
                                               "the FastAPI app `one`", "the Starlette app",
                                               "Router"])

    def test_nested_routers(self):
        files = {
            "svc/__init__.py": "",
            "svc/inner.py": '''
                from fastapi import APIRouter

                router = APIRouter(prefix="/in", tags=["inner"])


                @router.get("/a")
                def a():
                    return "a"
            ''',
            "svc/outer.py": '''
                from fastapi import APIRouter

                from . import inner

                router = APIRouter(prefix="/out", tags=["outer"])
                router.include_router(inner.router, prefix="/mid")


                @router.get("/own")
                def own():
                    return "own"
            ''',
            "svc/main.py": '''
                from fastapi import FastAPI

                from . import outer

                app = FastAPI()
                app.include_router(outer.router, prefix="/v1", tags=["v1"])
            ''',
        }
        result, _, err = run(files, STEPS + r'''
step("inner route", "svc/inner.py", [], ("GET", "/v1/out/mid/in/b"), ("GET", "/v1/out/own"),
     tail='\n\n@router.get("/b")\ndef b():\n    return "b"\n')
RESULT.update(seen=seen, tags=[r.tags for r in app.router.routes if r.path.startswith("/v1")])
''')
        seen = result["seen"]
        self.assertIsNone(seen[0]["error"], err)
        self.assertEqual(seen[0]["answers"], [[200, "b"], [200, "own"]])
        self.assertEqual(seen[0]["paths"], ["/v1/out/mid/in/a", "/v1/out/mid/in/b", "/v1/out/own"])
        self.assertEqual(result["tags"], [["v1", "outer", "inner"]] * 2 + [["v1", "outer"]])


if __name__ == "__main__":
    unittest.main()
