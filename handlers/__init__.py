"""HTTP handlers, one module per resource; connexion binds each operationId to a function here.

Each handler takes the path, query and body parameters the spec declares, makes one call
into ``expapi.service`` inside the request's transaction, and returns its answer.
"""
