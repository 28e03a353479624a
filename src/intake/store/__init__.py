"""The encrypted local store: SQLCipher database, key slots, users, audit log and profiles.

No Qt here. Open a store with :class:`intake.store.vault.Vault`; everything else goes through the
:class:`intake.store.session.Session` it returns.
"""
