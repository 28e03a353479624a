"""What the login screen needs before anything is unlocked, without loading the crypto stack.

The desktop app shows its login window first and imports SQLCipher, Argon2 and the rest while the
user types; this module answers "is there a store?" and "who can log in?" from the files alone.
Anything doubtful is left to :class:`intake.store.vault.Vault`, which reports it properly.
"""

from __future__ import annotations

import json
from pathlib import Path

DB_NAME = "intake.db"
SLOTS_NAME = "keyslots.json"


def store_exists(data_dir: Path) -> bool:
    data_dir = Path(data_dir)
    return (data_dir / DB_NAME).exists() or (data_dir / SLOTS_NAME).exists()


def user_names(data_dir: Path) -> list[str]:
    """The user names in the key-slot file, or [] when it cannot be read (the unlock says why)."""
    try:
        data = json.loads((Path(data_dir) / SLOTS_NAME).read_text("utf-8"))
        names = {
            slot["user"]
            for slot in data["slots"]
            if slot.get("kind") == "user" and isinstance(slot.get("user"), str)
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    return sorted(names)
