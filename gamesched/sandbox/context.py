"""The parts of one running sandbox, shared by the REST, gateway and control handlers."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from gamesched.sandbox.faults import Faults
from gamesched.sandbox.gateway import Gateway
from gamesched.sandbox.interactions import Interactions
from gamesched.sandbox.oauth2 import OAuth2
from gamesched.sandbox.ratelimits import USER_ROUTE_LIMITS, GlobalLimiter, RateLimiter
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
    """Per-channel message buckets, and each guild's bucket of scheduled-event changes."""
    global_limit: GlobalLimiter
    """Requests per second across all routes."""
    oauth2: OAuth2
    """Authorization codes and user tokens."""
    user_limits: dict[str, RateLimiter]
    """Per-route buckets of requests made with a user's Bearer token, by route template."""

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
            oauth2=OAuth2(state.world, state.clock),
            user_limits={
                route: RateLimiter(state.clock, limit=requests, window=window)
                for route, (requests, window) in USER_ROUTE_LIMITS.items()
            },
        )


SANDBOX = web.AppKey("sandbox", Sandbox)
"""Where the app keeps its :class:`Sandbox`."""
