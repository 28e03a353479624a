"""Offline sync with the central server: protocol models, merge logic and the client.

The protocol (:mod:`intake.sync.protocol`) is shared by both sides; ``docs/sync.md`` is its
contract and ``docs/openapi.json`` is generated from the server that implements it.
"""
