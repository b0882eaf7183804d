"""The parts of one running sandbox, shared by the REST, gateway and control handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from gamesched.sandbox.faults import Faults
from gamesched.sandbox.gateway import Gateway
from gamesched.sandbox.interactions import Interactions
from gamesched.sandbox.ratelimits import GlobalLimiter, RateLimiter
from gamesched.sandbox.state import SandboxState


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Everything a handler may touch."""

    state: SandboxState
    """Messages, commands, log, violations."""
    interactions: Interactions
    """Interaction records and open modals."""
    gateway: Gateway
    """Gateway sessions."""
    faults: Faults
    """Active faults."""
    ratelimits: RateLimiter
    """Per-channel message buckets."""
    global_limit: GlobalLimiter
    """Requests per second across all routes."""

    @classmethod
    def create(cls, state: SandboxState) -> Sandbox:
        """Wire the parts around a state."""
        limits = state.world.limits
        return cls(
            state=state,
            interactions=Interactions(state),
            gateway=Gateway(state),
            faults=Faults(),
            ratelimits=RateLimiter(
                state.clock, limit=limits.channel_messages, window=limits.channel_window_seconds
            ),
            global_limit=GlobalLimiter(state.clock, per_second=limits.global_requests_per_second),
        )


SANDBOX = web.AppKey("sandbox", Sandbox)
"""Where the app keeps its :class:`Sandbox`."""
