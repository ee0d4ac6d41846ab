"""The role guides (docs/guide-*.md and their index docs/guides.md): every image they link exists and
every image in docs/images is linked; the screenshot script (docs/screenshots.py) knows exactly the
images the guides link, and, run against a real server and Chromium, makes every one of them."""
from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
IMAGES = DOCS / "images"
ROLES = ["organiser", "judge", "chief-judge", "hr", "operator"]
GUIDES = [DOCS / f"guide-{role}.md" for role in ROLES]
INDEX = DOCS / "guides.md"
CHROMIUM = "/usr/bin/chromium"

IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CJK = re.compile(r"[\u4e00-\u9fff]")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def linked_images() -> dict[Path, list[str]]:
    """Every image a guide links, resolved against the guide's folder -> the guides linking it."""
    found: dict[Path, list[str]] = {}
    for guide in [*GUIDES, INDEX]:
        for target in IMAGE_LINK.findall(guide.read_text(encoding="utf-8")):
            assert not target.startswith(("http:", "https:", "/")), f"{guide.name}: {target} is not a relative path"
            found.setdefault((guide.parent / target).resolve(), []).append(guide.name)
    return found


def script_module():
    spec = importlib.util.spec_from_file_location("docs_screenshots", DOCS / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_every_role_has_a_guide_and_the_index_links_each():
    index = INDEX.read_text(encoding="utf-8")
    for guide in GUIDES:
        assert guide.exists(), f"{guide.name} is missing"
        assert f"]({guide.name})" in index, f"guides.md does not link {guide.name}"


def test_guides_are_in_chinese_with_english():
    """Each section heading names its subject in Chinese, then English ("## 1. 登录 · Sign in")."""
    for guide in GUIDES:
        headings = [line for line in guide.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        assert len(headings) >= 3, guide.name
        for heading in headings:
            chinese, _, english = heading.partition(" · ")
            assert CJK.search(chinese) and re.search(r"[A-Za-z]{3}", english), f"{guide.name}: {heading!r}"


def test_every_linked_image_exists_and_is_a_png():
    linked = linked_images()
    assert len(linked) >= 20
    for path, guides in linked.items():
        assert path.parent == IMAGES.resolve(), f"{path} (linked from {guides}) is not in docs/images"
        assert path.exists(), f"{path.name}, linked from {', '.join(guides)}, does not exist: run `make screenshots`"
        width, height = png_size(path.read_bytes())
        assert width >= 300 and height >= 100, path.name


def test_every_image_in_docs_images_is_linked():
    linked = {path.name for path in linked_images()}
    unused = sorted(p.name for p in IMAGES.iterdir() if p.name not in linked)
    assert unused == [], f"images no guide links: {unused}"


def test_the_images_stay_small():
    total = sum(p.stat().st_size for p in IMAGES.iterdir())
    assert total < 3 * 1024 * 1024, f"docs/images holds {total / 1024 / 1024:.1f} MiB"


def test_other_relative_links_of_the_guides_resolve():
    for guide in [*GUIDES, INDEX]:
        for target in LINK.findall(guide.read_text(encoding="utf-8")):
            if target.startswith(("http:", "https:", "mailto:", "#")):
                continue
            assert (guide.parent / target.split("#")[0]).exists(), f"{guide.name}: broken link {target}"


def test_the_script_makes_exactly_the_linked_images():
    assert set(script_module().IMAGES) == {path.name for path in linked_images()}


@pytest.mark.slow
@pytest.mark.browser
def test_the_screenshot_script_makes_every_linked_image(tmp_path):
    """The script as `make screenshots` runs it, into a temporary folder: fresh database, demo
    contest, a real server and Chromium, every role's scenes."""
    pytest.importorskip("playwright", reason="the test or docs extra is not installed")
    if not Path(CHROMIUM).exists():
        service_unavailable("Chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    out = tmp_path / "images"
    result = subprocess.run([sys.executable, str(DOCS / "screenshots.py"), "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=1800)
    output = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, output
    made = {p.name for p in out.iterdir()}
    linked = {path.name for path in linked_images()}
    assert made == linked, f"made but not linked: {sorted(made - linked)}; linked but not made: {sorted(linked - made)}"
    for name in linked:
        width, height = png_size((out / name).read_bytes())
        assert width >= 300 and height >= 100, name


def test_the_images_taken_from_the_journeys_are_linked_and_their_steps_exist():
    """docs/journey_images.py copies steps of the Chinese role journeys over guide images: each name is a
    linked image, and each (journey, step) one the journey tests photograph."""
    spec = importlib.util.spec_from_file_location("docs_journey_images", DOCS / "journey_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    linked = {path.name for path in linked_images()}
    journeys = ROOT / "tests" / "browser" / "journeys"
    sources = {path.stem.removeprefix("test_"): path.read_text(encoding="utf-8") for path in journeys.glob("test_*.py")}
    sources["chief"] = sources.pop("chief_judge")
    for name, (journey, step) in module.FROM_JOURNEYS.items():
        assert name in linked, name
        role = journey.removesuffix("-zh").split("-")[0]
        assert f'journey.step("{step}"' in sources[role], (name, journey, step)
