"""What every request needs: the casework application and the clock (time is a parameter:
tests give a frozen one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Request

from casework.services.app import Casework

Clock = Callable[[], datetime]


def casework_of(request: Request) -> Casework:
    app: Casework = request.app.state.casework
    return app


def now_of(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    return clock()
