"""The command palette: every action, namespaced ("account: …", "view: …"), found by typing or listed at once."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACCOUNT_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("account: Add exchange", "Connect a new exchange API key", "add_exchange"),
    ("account: Check now", "Check the highlighted account's key with the exchange", "check_now"),
    ("account: Replace API key", "Verify a new key, then swap it in for the highlighted account", "rotate_key"),
    ("account: Remove account", "Forget the highlighted account and its key (asks first)", "remove_account"),
    ("view: Balances", "Live balances of the highlighted account", "open_balances"),
    ("view: Checklist", "The guide's steps, ticked from the last check", "open_checklist"),
)
MASTER_PASSWORD_COMMAND = (
    "store: Change master password",
    "Re-encrypt the encrypted file's keys with a new master password",
    "change_master_password",
)
"""Offered only while the store is the encrypted file."""
APP_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("view: My Exchanges", "Back to the list of accounts", "go_home"),
    ("view: Help", "Every key", "help"),
    ("app: Quit", "Leave exchange-tui", "quit"),
)


class AccountCommands(Provider):
    """exchange-tui's own commands."""

    def _commands(self):
        app = self.app
        for title, help_text, action in ACCOUNT_COMMANDS:
            yield title, help_text, partial(app.account_action, action)
        extra = (MASTER_PASSWORD_COMMAND,) if app.has_master_password else ()
        for title, help_text, action in (*APP_COMMANDS, *extra):
            yield title, help_text, partial(app.run_action, action)

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
