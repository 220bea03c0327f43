def scale():
    return 1
