"""Wheel build hook: compile the translation catalogs into the wheel.

The compiled catalogs (`*.mo`) are build output and are not committed (.gitignore), so hatchling would
leave them out; this hook compiles every `competition/translations/<locale>/LC_MESSAGES/*.po` with Babel
(declared in `[build-system] requires`) into a temporary directory and adds each `.mo` to the wheel
beside its `.po`. A fuzzy or broken catalog fails the build rather than shipping half a language.
Editable installs skip it: they read the checkout, where `make translations` compiles the catalogs.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGS = "competition/translations"


class CompileTranslations(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root)
        self._out = Path(tempfile.mkdtemp(prefix="competition-mo-"))
        for po in sorted((root / CATALOGS).glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(root).with_suffix(".mo")
            with po.open("rb") as fileobj:
                catalog = read_po(fileobj, locale=po.parent.parent.name, abort_invalid=True)
            fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
            if fuzzy:
                raise RuntimeError(f"{po.relative_to(root)} has fuzzy entries: {fuzzy[:5]}")
            mo = self._out / relative
            mo.parent.mkdir(parents=True, exist_ok=True)
            with mo.open("wb") as fileobj:
                write_mo(fileobj, catalog)
            build_data["force_include"][str(mo)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        out = getattr(self, "_out", None)
        if out is not None:
            shutil.rmtree(out, ignore_errors=True)
