"""The OpenAPI contract of the experimental API."""
