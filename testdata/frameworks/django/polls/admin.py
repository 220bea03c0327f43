from django.contrib import admin

from .models import Choice, Question


class QuestionAdmin(admin.ModelAdmin):
    list_display = ("question_text",)


admin.site.register(Question, QuestionAdmin)
admin.site.register(Choice)
