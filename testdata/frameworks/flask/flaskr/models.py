from .db import db


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    body = db.Column(db.String(200))

    def summary(self):
        return "%s: %s" % (self.title, self.body)
