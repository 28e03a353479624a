"""Child process for the crash test: unlock the store and save answers until killed.

Prints "ready" once unlocked and then each revision id *after* its transaction committed, so
every printed id is a save the writer reported as durable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from keyrings.alt.file import PlaintextKeyring

from intake.store.device import DeviceKeyring
from intake.store.keyslots import MINIMUM_KDF
from intake.store.vault import Vault


def main() -> None:
    data_dir, keyring_file, user, profile_id, start = sys.argv[1:6]
    backend = PlaintextKeyring()
    backend.file_path = keyring_file
    vault = Vault(Path(data_dir), keyring=DeviceKeyring(backend), kdf=MINIMUM_KDF)
    session = vault.unlock(user, sys.stdin.readline().rstrip("\n"))
    print("ready", flush=True)
    counter = int(start)
    while True:
        counter += 1
        change = session.profiles.save(
            {
                "family_name": "Crashtest",
                "given_names": f"Run {counter}",
                "counter": counter,
                "notes": "x" * (counter % 4096),
            },
            profile_id=profile_id,
            form_id="erstprofil",
            form_version="1",
        )
        print(change.revision_id, counter, flush=True)


if __name__ == "__main__":
    main()
