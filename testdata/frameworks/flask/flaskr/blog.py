from flask import Blueprint

from .auth import login_required
from .db import db
from .models import Post

bp = Blueprint("blog", __name__)
VISITS = []


def heading():
    return "Posts"


@bp.route("/")
def index():
    VISITS.append(1)
    posts = db.session.execute(db.select(Post)).scalars()
    return "%s v1 (%d visits): %s" % (heading(), len(VISITS), "; ".join(p.summary() for p in posts))


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create():
    return "create v1"
