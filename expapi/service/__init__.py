"""What each experimental endpoint does, over a store, once for every caller.

One function per operation, named after its operationId and living in the module named
after its handler module (``handlers.pools.get_pool`` calls ``service.pools.get_pool``).
The HTTP handlers and the local client both call these, so both give the same answers,
whichever store answers them. Each keeps Airflow's rules and turns the store's outcomes
into the flavour's messages; ``expapi.flavours.presenters`` builds the JSON. Each returns
the body of its endpoint or raises an ``ApiError``.
"""
