import functools

from flask import Blueprint, request

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        if not request.headers.get("X-User"):
            return "log in first", 401
        return view(**kwargs)
    return wrapped


@bp.route("/login")
def login():
    return "login page"
