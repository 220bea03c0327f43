from aiohttp import web

routes = web.RouteTableDef()
POSTS = []


def heading():
    return "Board"


@routes.get("/")
async def index(request):
    POSTS.append(1)
    return web.json_response({"page": heading() + " v1", "posts": len(POSTS)})


@routes.get("/posts/{post_id}")
async def post(request):
    return web.Response(text="post %s" % request.match_info["post_id"])
