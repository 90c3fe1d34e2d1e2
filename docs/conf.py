"""Sphinx configuration: ``sphinx-build -W -b html docs <output>`` builds the docs.

The pages' ``>>>`` examples are tests (see ``conftest.py``), so the build
needs no extension to check them.
"""

from importlib.metadata import version as package_version

project = "backrest"
author = "the backrest authors"
project_copyright = "the backrest authors, Apache-2.0"
release = package_version("backrest")
version = ".".join(release.split(".")[:2])

root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = f"backrest {release}"
