"""The full-screen terminal app. ``run()`` is the entry point; imports wait until it is called."""

from __future__ import annotations


def run(
    *,
    demo: bool = False,
    master_password_fd: int | None = None,
    allow_insecure: bool = False,
) -> int:
    """Run the app until the user quits; the exit code.

    ``demo``: the built-in simulators on loopback and a throwaway store (never the user's keyring).
    ``master_password_fd``: where ``--master-password-fd`` says the encrypted file's master password is.
    ``allow_insecure``: ``--allow-insecure``, plain-text URLs to other machines accepted.
    Core dumps are off first: the app holds the master password and keys.
    """
    from exchange_tui.hardening import forbid_core_dumps
    from exchange_tui.tui.launch import prepared_app

    forbid_core_dumps()
    with prepared_app(demo=demo, master_password_fd=master_password_fd, allow_insecure=allow_insecure) as app:
        app.run()
    return app.return_code or 0
