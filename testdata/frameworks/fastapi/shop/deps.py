def api_key():
    return "key-1"
