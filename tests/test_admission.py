"""Admission slots: writes cannot take the slots kept for reads, and no wait outlasts the timeout."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from expapi.admission import Admission, AdmissionTimeout


def test_writers_leave_the_reserved_slots_to_reads() -> None:
    async def scenario() -> None:
        admission = Admission(timeout=0.2, capacity=3, reserved_for_reads=1)
        async with AsyncExitStack() as held:
            for _ in range(2):
                await held.enter_async_context(admission.slot("POST"))
            with pytest.raises(AdmissionTimeout):
                async with admission.slot("DELETE"):
                    pass
            async with admission.slot("GET"):  # the reserved slot
                with pytest.raises(AdmissionTimeout):
                    async with admission.slot("GET"):
                        pass
        async with admission.slot("POST"):  # all released
            pass

    asyncio.run(scenario())


def test_a_waiting_request_gets_a_slot_as_soon_as_one_is_freed() -> None:
    async def scenario() -> list[str]:
        admission = Admission(timeout=5.0, capacity=1, reserved_for_reads=0)
        order: list[str] = []

        async def hold() -> None:
            async with admission.slot("POST"):
                order.append("first")
                await asyncio.sleep(0.05)

        async def wait() -> None:
            await asyncio.sleep(0.01)
            async with admission.slot("POST"):
                order.append("second")

        await asyncio.gather(hold(), wait())
        return order

    assert asyncio.run(scenario()) == ["first", "second"]
