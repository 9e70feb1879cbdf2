"""An input for pasted keys: what a paste brings around the key (spaces, line breaks) is dropped."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class KeyInput(Input):
    """A one-line input that cleans pastes: surrounding whitespace goes, inner runs become one space.

    An inner space is left for the form's check to point at ("copy it again, in one piece")
    rather than silently joining two pieces of text that may not belong together.
    """

    def _on_paste(self, event: events.Paste) -> None:
        cleaned = " ".join(event.text.split())
        if cleaned:
            if self.selection.is_empty:
                self.insert_text_at_cursor(cleaned)
            else:
                self.replace(cleaned, *self.selection)
        event.stop()
