def greeting():
    return "hello v1"
