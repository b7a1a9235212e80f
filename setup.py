"""Only one job beyond pyproject.toml: put the bundled policies and assets inside the wheel, as
``app/_resources/{policies,assets}``, where ``app.runtime.resources`` looks for them in an installed copy
(a checkout reads them from the repository root)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads them from the checkout
        target = Path(self.build_lib) / "app" / "_resources"
        for name in ("policies", "assets"):
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(ROOT / name, target / name)


setup(cmdclass={"build_py": BuildWithResources})
