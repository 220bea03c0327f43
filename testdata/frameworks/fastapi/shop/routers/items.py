from fastapi import APIRouter, Depends

from .. import deps
from ..models import Item

router = APIRouter(prefix="/items", tags=["items"])
STOCK = {}


def label(item_id):
    return "item %d" % item_id


@router.get("/{item_id}")
def read_item(item_id: int):
    return {"id": item_id, "label": label(item_id)}


@router.post("/")
def create_item(item: Item, key: str = Depends(deps.api_key)):
    STOCK[item.name] = item
    return {"item": item.dict(), "key": key, "stock": len(STOCK)}
