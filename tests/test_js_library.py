"""One JS library under static/js/lib/ used by every page script (issue 20).

- Only lib/api.js calls fetch(): every page script reaches the API through lib/api.js (one ApiError,
  network failure as status 0), so the CSRF header and the error shape are the same everywhere.
- Only lib/dom.js defines el(), only lib/failures.js defines showFailure/clearFailure/errorLines.
- The modules it replaced (api.js, hr/api.js, page.js, admin/common.js, organize/common.js) are gone and
  nothing imports them; every import names a module that exists and a name it exports.
- The templates load only scripts that exist.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_translations import script_code

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "static" / "js"
LIB = JS / "lib"
REPLACED = ("api.js", "hr/api.js", "page.js", "admin/common.js", "organize/common.js")

IMPORT = re.compile(r"""\bimport\s*(?:\{([^}]*)\}\s*from\s*)?['"]([^'"]+)['"]""")
EXPORTED = re.compile(r"\bexport\s+(?:async\s+)?(?:function\*?|class|const|let)\s+(\w+)")
EXPORT_LIST = re.compile(r"\bexport\s*\{([^}]*)\}")


def scripts() -> dict[str, str]:
    """Every page script (path under static/js -> its code without comments)."""
    return {path.relative_to(JS).as_posix(): script_code(path.read_text(encoding="utf-8"))
            for path in sorted(JS.rglob("*.js"))}


def defining(code: dict[str, str], name: str) -> list[str]:
    pattern = re.compile(rf"\bfunction\s+{name}\s*\(|\b(?:const|let|var)\s+{name}\s*=")
    return [path for path, source in code.items() if pattern.search(source)]


def exports_of(source: str) -> set[str]:
    names = set(EXPORTED.findall(source))
    for group in EXPORT_LIST.findall(source):
        names.update(part.split(" as ")[-1].strip() for part in group.split(",") if part.strip())
    return names


def test_the_library_is_there_and_the_modules_it_replaced_are_gone():
    assert {"api.js", "dom.js", "failures.js"} <= {path.name for path in LIB.glob("*.js")}
    assert [name for name in REPLACED if (JS / name).exists()] == []


def test_only_the_library_calls_fetch():
    code = scripts()
    callers = [path for path, source in code.items() if re.search(r"\bfetch\s*\(", source)]
    assert callers == ["lib/api.js"]
    assert len(code) > 30


def test_one_el_and_one_show_failure():
    code = scripts()
    assert defining(code, "el") == ["lib/dom.js"]
    for name in ("showFailure", "clearFailure", "errorLines", "failureText"):
        assert defining(code, name) == ["lib/failures.js"], name
    for name in ("readJson", "fill", "notice", "cell", "option"):
        assert defining(code, name) == ["lib/dom.js"], name
    # The page scripts' own element builders went too (board/cells.js, board/phone.js had `element`).
    assert defining(code, "element") == []


def test_every_import_names_an_existing_module_and_its_exports():
    code = scripts()
    problems = []
    for path, source in code.items():
        for names, target in IMPORT.findall(source):
            if not target.startswith("."):
                problems.append(f"{path}: imports {target!r}, not a relative module")
                continue
            resolved = (JS / path).parent.joinpath(target).resolve()
            relative = resolved.relative_to(JS.resolve()).as_posix() if resolved.is_relative_to(JS.resolve()) else None
            if relative in REPLACED or relative not in code:
                problems.append(f"{path}: imports {target!r}, which does not exist")
                continue
            wanted = {part.split(" as ")[0].strip() for part in names.split(",") if part.strip()}
            missing = wanted - exports_of(code[relative])
            if missing:
                problems.append(f"{path}: {sorted(missing)} not exported by {relative}")
    assert problems == []


def test_the_templates_load_only_scripts_that_exist():
    loaded = set()
    for template in (ROOT / "templates").rglob("*.html"):
        loaded.update(re.findall(r"""filename=['"](js/[^'"]+)['"]""", template.read_text(encoding="utf-8")))
    assert len(loaded) > 10
    assert sorted(name for name in loaded if not (ROOT / "static" / name).exists()) == []
    assert not any(name.removeprefix("js/") in REPLACED for name in loaded)


def test_the_checks_catch_what_they_look_for():
    """The patterns above find a raw fetch, a second el() and an import of a replaced module."""
    sample = {"lib/dom.js": "export function el(tag) {}",
              "x.js": "import { api } from './api.js';\nconst el = (t) => t;\nfetch('/api/v1/x');"}
    assert defining(sample, "el") == ["lib/dom.js", "x.js"]
    assert re.search(r"\bfetch\s*\(", sample["x.js"])
    assert [(names.strip(), target) for names, target in IMPORT.findall(sample["x.js"])] == [("api", "./api.js")]
    assert exports_of("export { a as b, c };\nexport async function d() {}") == {"b", "c", "d"}


# --- lib/api.js in Node, with a stand-in fetch ------------------------------------------------------------

API_PROBE = r"""
const meta = 'meta[name="csrf-token"]';
globalThis.document = { querySelector: (selector) => (selector === meta ? { content: 'tok' } : null) };
const calls = [];
const answer = (status, body, type = 'application/json') => ({
  ok: status >= 200 && status < 300, status,
  headers: { get: (name) => (name === 'Content-Type' ? type : null) },
  json: async () => body,
});
let next = null;
globalThis.fetch = (url, init) => { calls.push({ url, ...init }); return next(init); };
const { api, ApiError } = await import(process.argv[2]);
const outcome = async (promise) => {
  try { return { value: await promise }; }
  catch (error) {
    return { error: { api: error instanceof ApiError, status: error.status, reason: error.reason, body: error.body,
      message: error.message } };
  }
};
const out = {};
next = async () => answer(200, { id: 1 });
out.get = await outcome(api('GET', '/contests/1'));
out.post = await outcome(api('POST', '/api/v1/contests', { name: 'x' }, { headers: { 'Idempotency-Key': 'k' } }));
const form = new FormData();
form.append('file', 'data');
out.form = await outcome(api('PUT', '/x', form));
next = async () => answer(204, null, null);
out.empty = await outcome(api('DELETE', '/x'));
next = async () => answer(409, { message: 'locked', reason: 'module_locked' });
out.refused = await outcome(api('POST', '/x'));
next = async () => answer(502, null, 'text/html');
out.gateway = await outcome(api('GET', '/x'));
next = async () => { throw new TypeError('Failed to fetch'); };
out.offline = await outcome(api('GET', '/x'));
const aborted = () => new DOMException('aborted', 'AbortError');
next = (init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(aborted())));
const controller = new AbortController();
const pending = outcome(api('PUT', '/x', {}, { signal: controller.signal }));
controller.abort();
out.timeout = await pending;
out.calls = calls.map((c) => ({ url: c.url, method: c.method, credentials: c.credentials, headers: c.headers,
  body: typeof c.body === 'string' ? c.body : c.body ? c.body.constructor.name : null, signal: Boolean(c.signal) }));
console.log(JSON.stringify(out));
"""


def test_the_api_client_sends_one_way_and_fails_with_one_error(tmp_path):
    """Same-origin cookie, CSRF on writes, JSON or FormData, the caller's headers and signal; a refusal is an
    ApiError with status, body and reason; no answer (offline, aborted by a timeout) is status 0, which the
    judge tablet's queue keeps and sends again (judge/queue.js)."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    probe = tmp_path / "probe.mjs"
    probe.write_text(API_PROBE, encoding="utf-8")
    run = subprocess.run([node, str(probe), (LIB / "api.js").as_uri()], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["get"] == out["post"] == {"value": {"id": 1}} and out["empty"] == {"value": None}
    assert out["refused"]["error"] == {"api": True, "status": 409, "reason": "module_locked",
                                       "body": {"message": "locked", "reason": "module_locked"}, "message": "locked"}
    assert out["gateway"]["error"] | {"message": None} == {"api": True, "status": 502, "reason": None, "body": None,
                                                           "message": None}
    for failure in (out["offline"]["error"], out["timeout"]["error"]):
        assert failure["api"] and failure["status"] == 0 and failure["reason"] is None
    get, post, form, *_ = out["calls"]
    assert get == {"url": "/api/v1/contests/1", "method": "GET", "credentials": "same-origin",
                   "headers": {"Accept": "application/json"}, "body": None, "signal": False}
    assert post["url"] == "/api/v1/contests" and post["body"] == '{"name":"x"}'
    assert post["headers"] == {"Accept": "application/json", "Idempotency-Key": "k", "X-CSRFToken": "tok",
                               "Content-Type": "application/json"}
    assert form["body"] == "FormData" and form["headers"] == {"Accept": "application/json", "X-CSRFToken": "tok"}
    assert out["calls"][-1]["signal"] is True
