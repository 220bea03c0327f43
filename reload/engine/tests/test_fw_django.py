"""Django across in-place reloads (fw_django), on Debian's python3-django: the
polls app of testdata/frameworks/django, set up in a fresh interpreter
(harness.py) and driven through Django's test client after every edit."""

import unittest

from .fwapps import app_files
from .fwcheck import need
from .harness import run

SETUP = r'''
import warnings
os.environ["POLLS_DB"] = os.path.join(ROOT, "db.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "mysite.settings"
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.contrib import admin
from django.apps import apps
call_command("migrate", verbosity=0)
import polls.models as models, polls.views as views
from django.utils import timezone
q = models.Question.objects.create(question_text="q1", pub_date=timezone.now())
q.choice_set.create(choice_text="c1")
client = Client()
Question = models.Question
index = views.index
CAUGHT = []
warnings.showwarning = lambda message, *a, **k: CAUGHT.append(str(message))
warnings.simplefilter("always")


def get(url):
    resp = client.get(url)
    return "%d %s" % (resp.status_code, resp.content.decode().strip()[:80])


def step(rel, old, new, package="polls"):
    change(rel, old, new)
    return reload(package, mode="inplace")

'''


@need("django")
class DjangoTests(unittest.TestCase):
    maxDiff = None

    def test_views_urls_templates_and_state(self):
        result, _, err = run(app_files("django"), SETUP + r'''
seen = {}
get("/polls/"); get("/polls/")
rep = step("polls/views.py", '"index v1 "', '"index v2 "')
seen["view"] = [errors(rep), get("/polls/"), views.index is index]
rep = step("polls/helpers.py", '"hello v1"', '"hello v2"')
seen["helper"] = [errors(rep), get("/polls/")]
seen["404"] = get("/polls/about/")
step("polls/views.py", "def visits(", 'def about(request):\n    return HttpResponse("about v1")\n\n\ndef visits(')
rep = step("polls/urls.py", '    path("visits/"', '    path("about/", views.about, name="about"),\n    path("visits/"')
from django.urls import reverse
seen["url"] = [errors(rep), get("/polls/about/"), reverse("polls:about")]
seen["page"] = get("/polls/page/")
rep = step("polls/templatetags/poll_extras.py", '" v1"', '" v2"\n\n\n@register.filter\ndef whisper(value):\n    return str(value).lower() + " w2"')
with open(os.path.join(ROOT, "polls/templates/polls/page.html"), "w") as handle:
    handle.write("{% load poll_extras %}{{ name|shout }} {{ name|whisper }}\n")
seen["tags"] = [errors(rep), get("/polls/page/")]
with open(os.path.join(ROOT, "polls/views.py")) as handle:
    text = handle.read()
rep = step("polls/views.py", text, text.replace("\ndef index(request):", "\n@never_cache\ndef index(request):").replace(
    "from django.shortcuts import render\n", "from django.shortcuts import render\nfrom django.views.decorators.cache import never_cache\n"))
resp = client.get("/polls/")
seen["decorated"] = [errors(rep), resp.content.decode(), "max-age=0" in resp.get("Cache-Control", "")]
from django.conf import settings
rep = step("mysite/settings.py", 'STATIC_URL = "/static/"\n', 'STATIC_URL = "/static/"\nPOLLS_TITLE = "Polls v2"\n', package="mysite")
seen["setting"] = [errors(rep), lines(rep), getattr(settings, "POLLS_TITLE", None)]
middleware = list(settings.MIDDLEWARE)
rep = step("mysite/settings.py", "MIDDLEWARE = [\n", 'MIDDLEWARE = [\n    "django.middleware.gzip.GZipMiddleware",\n', package="mysite")
seen["startup_setting"] = [errors(rep), lines(rep), settings.MIDDLEWARE == middleware, get("/polls/")]
rep = step("polls/views.py", "def page(request):", "def page(request)")
seen["syntax"] = [rep["rolled_back"], get("/polls/"), get("/polls/visits/")]
import polls.urls
seen["describe"] = [api.adapters.describe(polls.urls.urlpatterns[1]),
                    api.adapters.describe(models.Question), api.adapters.describe(admin.site)]
RESULT.update(seen=seen, caught=CAUGHT)
''')
        seen = result["seen"]
        self.assertEqual(seen["view"], [None, "200 index v2 hello v1", True])
        self.assertEqual(seen["helper"], [None, "200 index v2 hello v2"])
        self.assertTrue(seen["404"].startswith("404"), seen["404"])
        self.assertEqual(seen["url"], [None, "200 about v1", "/polls/about/"])
        self.assertEqual(seen["page"], "200 WORLD v1")
        self.assertEqual(seen["tags"], [None, "200 WORLD v2 world w2"])
        self.assertEqual(seen["decorated"], [None, "index v2 hello v2", True])
        self.assertEqual(seen["setting"], [None, [], "Polls v2"])
        self.assertEqual(seen["startup_setting"], [None, [
            "mysite/settings.py:16:1: warning: setting `MIDDLEWARE` changed: Django reads it "
            "once, at startup; restart the server (django.conf.settings keeps the running "
            "value) [restart-needed]"], True, "200 index v2 hello v2"])
        self.assertEqual(seen["syntax"], [True, "200 index v2 hello v2", "200 7"])
        self.assertEqual(seen["describe"], [
            "Django URL pattern `<int:question_id>/` (name `detail`)",
            "model `polls.Question` of Django app `polls`", "Django admin site `admin`"])
        self.assertEqual(result["caught"], [], err)

    def test_models_and_admin(self):
        result, _, err = run(app_files("django"), SETUP + r'''
seen = {}
admins = len(admin.site._registry)
qadmin = admin.site._registry[Question]
seen["before"] = get("/polls/%d/" % q.pk)
rep = step("polls/models.py", '"recent v1"', '"recent v2"')
seen["method"] = [errors(rep), lines(rep), get("/polls/%d/" % q.pk), models.Question is Question]
rep = step("polls/models.py", "class Choice(models.Model):\n", "class Choice(models.Model):\n    LABEL = 'choice v2'\n\n")
seen["data"] = [errors(rep), lines(rep), get("/polls/%d/" % q.pk),
                apps.get_model("polls", "choice") is models.Choice,
                models.Choice.LABEL, models.Choice._meta.model is models.Choice,
                models.Question.choice_set.rel.related_model is models.Choice]
rep = step("polls/admin.py", "admin.site.register(Choice)",
           "class ChoiceAdmin(admin.ModelAdmin):\n    list_display = ('choice_text', 'votes')\n\n\nadmin.site.register(Choice, ChoiceAdmin)")
seen["admin"] = [errors(rep), len(admin.site._registry) == admins,
                 type(admin.site._registry[models.Choice]).__name__,
                 admin.site._registry[Question] is qadmin]
rep = step("polls/admin.py", '("question_text",)', '("question_text", "pub_date")')
seen["admin_data"] = [errors(rep), len(admin.site._registry) == admins,
                      admin.site._registry[Question].list_display]
rep = step("polls/models.py", '    votes = models.IntegerField(default=0)\n',
           '    votes = models.IntegerField(default=0)\n    weight = models.IntegerField(default=1)\n')
seen["field"] = [errors(rep), lines(rep), get("/polls/%d/" % q.pk),
                 [f.name for f in models.Choice._meta.get_fields()],
                 apps.get_model("polls", "choice") is models.Choice,
                 models.Choice.objects.count()]
rep = step("polls/models.py", '    pub_date = models.DateTimeField("date published")\n',
           '    pub_date = models.DateTimeField("date published")\n\n    class Meta:\n        ordering = ["-pub_date"]\n')
seen["meta"] = [errors(rep), lines(rep), get("/polls/%d/" % q.pk), models.Question._meta.ordering]
rep = step("polls/models.py", "class Choice(", "class Tag(models.Model):\n    name = models.CharField(max_length=20)\n\n\nclass Choice(")
seen["new_model"] = [errors(rep), lines(rep)]
rep = step("polls/models.py", '"recent v2"', '"recent v3"\n  oops(')
seen["rollback"] = [rep["rolled_back"], get("/polls/%d/" % q.pk),
                    apps.get_model("polls", "question") is Question]
RESULT.update(seen=seen, caught=CAUGHT)
''')
        seen = result["seen"]
        self.assertEqual(seen["before"], "200 detail v1 q1 recent v1 1")
        self.assertEqual(seen["method"], [None, [], "200 detail v1 q1 recent v2 1", True])
        self.assertEqual(seen["data"], [None, [], "200 detail v1 q1 recent v2 1", True,
                                        "choice v2", True, True])
        self.assertEqual(seen["admin"], [None, True, "ChoiceAdmin", True])
        self.assertEqual(seen["admin_data"], [None, True, ["question_text", "pub_date"]])
        error, found, page, fields, registered, count = seen["field"]
        self.assertIsNone(error)
        self.assertEqual(len(found), 1, found)
        self.assertIn("polls/models.py:21:5: warning: model `polls.Choice`: added `weight`",
                      found[0])
        self.assertIn("python manage.py makemigrations polls", found[0])
        self.assertIn("[restart-needed]", found[0])
        self.assertEqual(page, "200 detail v1 q1 recent v2 1")
        self.assertNotIn("weight", fields)
        self.assertEqual([registered, count], [True, 1])
        error, found, page, ordering = seen["meta"]
        self.assertIsNone(error)
        self.assertEqual(len(found), 1, found)
        self.assertIn("model `polls.Question`: Meta ordering changed; the database needs a "
                      "migration", found[0])
        self.assertEqual([page, ordering], ["200 detail v1 q1 recent v2 1", []])
        error, found = seen["new_model"]
        self.assertIsNone(error)
        self.assertTrue(any("new model `polls.Tag`" in f and "[restart-needed]" in f
                            for f in found), found)
        self.assertEqual(seen["rollback"], [True, "200 detail v1 q1 recent v2 1", True])
        self.assertEqual(result["caught"], [], err)


if __name__ == "__main__":
    unittest.main()
