"""Where the non-Python parts of the product live.

In a checkout, templates, static files and migrations sit at the top of the repository; in an
installed wheel they are shipped inside the package. Either way the app finds them here.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    packaged = PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


TEMPLATES = asset_dir("templates")
STATIC = asset_dir("static")
MIGRATIONS = asset_dir("migrations")
TRANSLATIONS = PACKAGE_DIR / "translations"
