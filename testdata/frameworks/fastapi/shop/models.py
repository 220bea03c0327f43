from pydantic import BaseModel, validator


class Item(BaseModel):
    name: str
    price: float = 0

    @validator("name")
    def clean_name(cls, v):
        return v.strip()
