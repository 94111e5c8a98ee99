from ... import cuda


def amp_definitely_not_available():
    return not cuda.is_available()
