"""A secret that may be a PEM private key: pasted whole as a terminal sends it, kept masked, sent intact."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual import events
from textual.app import App, ComposeResult

from exchange_tui.exchanges import registry
from exchange_tui.tui.messages import AccountsLoaded
from exchange_tui.tui.widgets.paste_input import PrivateKeyInput

PEM_LINES = ["-----BEGIN PRIVATE KEY-----", "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF", "-----END PRIVATE KEY-----"]
PEM = "\n".join(PEM_LINES)


class OneField(App):
    def compose(self) -> ComposeResult:
        yield PrivateKeyInput(id="secret_key", password=True)


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("  " + "\r".join(PEM_LINES) + "\r", PEM),  # tmux: each line break as \r
        ("\r\n".join(PEM_LINES) + "\r\n", PEM),  # a Windows clipboard
        ("\n".join("    " + line for line in PEM_LINES) + "\n", PEM),  # copied from an indented file
        ("  0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef"),  # an HMAC secret
    ],
)
async def test_a_pasted_private_key_goes_in_whole_with_its_line_breaks(pasted, kept):
    app = OneField()
    async with app.run_test() as pilot:
        field = app.query_one(PrivateKeyInput)
        field.focus()
        await pilot.pause()
        app.post_message(events.Paste(pasted))
        await pilot.pause()
        assert field.value == kept
        assert field.holds_private_key is (kept == PEM)


async def test_reveal_leaves_a_private_key_masked(make_app, messages, monkeypatch):
    """An exchange whose secret may be a PEM key (the Bitget spec, changed only in that)."""
    spec = registry.EXCHANGES["bitget"]
    fields = tuple(replace(f, pem=True) if f.name == "secret_key" else f for f in spec.credentials)
    monkeypatch.setitem(registry.EXCHANGES, "bitget", replace(spec, credentials=fields))
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=messages) as pilot:
        await messages.wait_for(AccountsLoaded)
        await pilot.press("a", "enter")
        await pilot.pause()
        secret = app.screen.query_one("#secret_key", PrivateKeyInput)
        secret.focus()
        await pilot.pause()
        app.post_message(events.Paste("\r".join(PEM_LINES)))
        await pilot.pause()
        await pilot.press("f6")
        assert secret.password and secret.value == PEM
        assert not app.screen.query_one("#api_key").password
