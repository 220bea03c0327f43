from aiohttp import web

from . import views


async def health(request):
    return web.Response(text="ok")


def make_app(argv=None):
    app = web.Application()
    app.add_routes(views.routes)
    app.router.add_get("/health", health)
    return app
