from django.http import HttpResponse
from django.shortcuts import render

from . import helpers
from .models import Question

VISITS = []


def index(request):
    VISITS.append(1)
    return HttpResponse("index v1 " + helpers.greeting())


def detail(request, question_id):
    question = Question.objects.get(pk=question_id)
    return HttpResponse("detail v1 %s %s %d" % (question, question.was_published_recently(),
                                                question.choice_set.count()))


def visits(request):
    return HttpResponse(str(len(VISITS)))


def page(request):
    return render(request, "polls/page.html", {"name": "world"})
