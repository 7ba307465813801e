"""Printable letters: the notices to a party who has no email address.

The law's notices to the parties are official letters. When casework has no email address for a
party it writes the letter as an HTML page (to print, sign and post) and a plain-text copy,
`<folder>/<case ref>/<Message-ID>.html|.txt`. The name is fixed by the notice's cause, so a
retry after a crash rewrites the same letter instead of making a second one.
"""

from __future__ import annotations

import re
from pathlib import Path

from casework.adapters.notice_templates import RenderedNotice
from casework.private_files import private_folder, write_private


class LetterWriter:
    """Writes each letter atomically: a reader never sees half a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"letters in {self.folder}"

    def path_for(self, case_ref: str, message_id: str) -> Path:
        """Where the letter of this notice is written (without the extension)."""
        safe_ref = re.sub(r"[^A-Za-z0-9_-]", "_", case_ref) or "no-case"
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>"))
        return self.folder / safe_ref / stem

    def write(self, case_ref: str, message_id: str, letter: RenderedNotice) -> Path:
        """Write the HTML letter and its text copy; returns the HTML file's path."""
        base = self.path_for(case_ref, message_id)
        private_folder(self.folder)
        private_folder(base.parent)  # a letter to the denouncer carries his name and address
        text = f"{letter.subject}\n\n{letter.text}"
        for suffix, content in ((".txt", text), (".html", letter.html)):
            target = base.parent / (base.name + suffix)
            temporary = base.parent / f".{target.name}.tmp"
            write_private(temporary, content.encode("utf-8"))
            temporary.replace(target)
        return base.parent / (base.name + ".html")
