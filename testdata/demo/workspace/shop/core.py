def greet(name):
    return "Hello, %s (v1)" % name
