"""A small flaskr: an app factory, two blueprints, Flask-SQLAlchemy on sqlite."""

from flask import Flask

from .db import db


def create_app():
    app = Flask("flaskr")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    from . import auth, blog, models
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    app.add_url_rule("/", endpoint="index")
    with app.app_context():
        db.create_all()
        db.session.add(models.Post(title="hello", body="first post"))
        db.session.commit()
    return app
