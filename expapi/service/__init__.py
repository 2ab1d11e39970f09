"""What each experimental endpoint does, over a database session.

The HTTP handlers and the local client both call these functions, so both give the
same answers. Each returns the JSON body of its endpoint or raises an ``ApiError``.
"""
