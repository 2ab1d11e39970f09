"""The yardstick of benchmarks/run.py: a plain Starlette app with one route, nothing else."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def status(_request):
    return JSONResponse({"status": "OK"})


app = Starlette(routes=[Route("/api/experimental/test", status)])
