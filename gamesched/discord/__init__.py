"""Talking to Discord without a gateway: message payloads (pure) and the ids they carry."""
