"""Inputs that take a terminal's paste once, cleaned for what they hold.

A terminal sends a paste as one bracketed paste, and Textual hands it to the focused input as an
``events.Paste``. Textual then runs the ``_on_paste`` of every class in the input's MRO until one
calls ``prevent_default()`` (``stop()`` only keeps the event from bubbling to the parent), so an
input that cleans the paste itself must prevent ``Input._on_paste`` from inserting the raw first
line as well.

Terminals re-encode the line breaks of what they paste: tmux sends each ``\\n`` as ``\\r`` (so a
``\\r\\n`` arrives as ``\\r\\r``), VTE (GNOME Terminal) sends ``\\r``; a Pilot test sends the text as is.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

LINE_BREAKS = "\r\n"
PEM_BEGIN = "-----BEGIN"


class PasteInput(Input):
    """A one-line input that inserts each paste once, as ``clean_paste`` makes it."""

    def clean_paste(self, text: str) -> str:
        """What of the pasted ``text`` replaces the selection, or goes in at the cursor ("": nothing)."""
        raise NotImplementedError

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # else Input._on_paste inserts the raw first line too (see above)
        event.stop()
        if cleaned := self.clean_paste(event.text):
            self.replace(cleaned, *self.selection)


class KeyInput(PasteInput):
    """An input for keys and labels: surrounding whitespace goes, inner runs become one space.

    An inner space is left for the form's check to point at ("copy it again, in one piece")
    rather than silently joining two pieces of text that may not belong together.
    """

    def clean_paste(self, text: str) -> str:
        return " ".join(text.split())


class PrivateKeyInput(KeyInput):
    """An input for a secret that may be a PEM private key: a PEM block goes in whole, its line breaks
    kept as ``\n`` (however the terminal re-encoded them), surrounding whitespace gone; any other
    paste as :class:`KeyInput` takes it. A private key is never shown: revealing leaves it masked."""

    def clean_paste(self, text: str) -> str:
        if PEM_BEGIN not in text:
            return super().clean_paste(text)
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.strip() for line in lines if line.strip())

    @property
    def holds_private_key(self) -> bool:
        return PEM_BEGIN in self.value


class MasterPasswordInput(PasteInput):
    """An input for a master password: a paste goes in unchanged but for its trailing line break.

    Spaces are kept, leading and trailing ones too: a master password may have them. Every line
    break at the end goes (one line break may arrive as two characters, see above; no password
    typed at a prompt ends in one). A line break inside is refused: such a password could never
    be typed again, so nothing is inserted and ``PasteRefused`` says why.
    """

    class PasteRefused(Message):
        """A paste that was not inserted; it carries no part of the paste."""

        def __init__(self, input: MasterPasswordInput) -> None:
            super().__init__()
            self.input = input

        @property
        def control(self) -> MasterPasswordInput:
            return self.input

    def clean_paste(self, text: str) -> str:
        password = text.rstrip(LINE_BREAKS)
        if any(char in LINE_BREAKS for char in password):
            self.post_message(self.PasteRefused(self))
            return ""
        return password
