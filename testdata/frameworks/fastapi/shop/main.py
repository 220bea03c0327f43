from fastapi import FastAPI

from .routers import items

app = FastAPI(title="shop")
app.include_router(items.router, prefix="/v1")
VISITS = []


@app.get("/")
def home():
    VISITS.append(1)
    return {"page": "home v1", "visits": len(VISITS)}
