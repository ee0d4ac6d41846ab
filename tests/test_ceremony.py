"""live.md, Results ceremony: a contest with `"ceremony": true` holds its results from `final` until the
last reveal step: the public standings, board and results files show the list without totals, ranks or
component and module scores, exactly as during a reveal; the jury view and staff's files are not held.
api.md: `ceremony` on POST /contests (default false), PATCH (while running; not once final), GET."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.contest_fixtures import SMALL_FULL_MARKS, create_contest, ensure_occupation, new_account, setup_contest
from tests.support import assert_error
from tests.test_live import connect, events


def held(rows) -> bool:
    return all(r["rank"] is None and r["total"] is None and r["components"] == {} and r["modules"] == {}
               for r in rows)


def final_contest(client, admin, **fields):
    setup = setup_contest(client, admin, competitors=3, start=True, **fields)
    for bib, theory in (("1", 60), ("2", 90), ("3", 75)):
        setup.store(bib, {**SMALL_FULL_MARKS, "T1.1": theory})
    setup.lock()
    return setup


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))[1:]


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(min_row=2, values_only=True))


def test_ceremony_is_a_setting_created_read_and_changed_until_final(client, admin):
    organizer = new_account(client, admin, "organizer")
    contest = create_contest(client, organizer, occupation_code=ensure_occupation(client.application))
    assert contest["ceremony"] is False
    setup = final_contest(client, admin, ceremony=True)
    url = setup.url
    assert client.get(url).get_json()["ceremony"] is True  # public: a spectator may know results wait
    response = client.patch(url, json={"ceremony": False}, headers=setup.organizer.headers)
    assert response.status_code == 200 and response.get_json()["ceremony"] is False  # while running
    assert_error(client.patch(url, json={"ceremony": "maybe"}, headers=setup.organizer.headers), 422,
                 field="ceremony")
    assert client.get(url).get_json()["ceremony"] is False
    client.patch(url, json={"ceremony": True}, headers=setup.organizer.headers)
    assert setup.transition("final").status_code == 200
    assert_error(client.patch(url, json={"ceremony": False}, headers=setup.organizer.headers), 409,
                 reason="contest_final")


def test_a_ceremony_contest_holds_every_public_view_until_the_last_reveal_step(app, client, admin):
    setup = final_contest(client, admin, ceremony=True)
    url = setup.url
    assert setup.standings()["rows"][0]["total"] is not None  # running: live as usual
    world = type("W", (), {"contest_id": setup.contest_id})
    sio = connect(app, client, world)
    events(sio)
    assert setup.transition("final").status_code == 200

    # held: the board's update, a new board, GET standings, the results files
    updates = [payload for name, payload in events(sio) if name == "board:update"]
    assert updates and all(held(u["rows"]) for u in updates)
    assert held([r for u in updates for r in u["rows"]])
    late = connect(app, client, world)
    (name, snapshot), = events(late)
    assert name == "board:snapshot" and snapshot["state"] == "final" and held(snapshot["rows"])
    public = setup.standings()
    assert public["state"] == "final" and len(public["rows"]) == 3 and held(public["rows"])
    assert [r["competitor"]["bib"] for r in public["rows"]] == ["1", "2", "3"]  # by bib: no order leaks
    for line in csv_rows(client.get(f"{url}/results.csv")):
        assert line[0] == "" and line[-3] == "" and line[4:-3] == [""] * len(line[4:-3]), line
    for line in xlsx_rows(client.get(f"{url}/results.xlsx")):
        assert line[0] is None and all(value is None for value in line[4:-2]), line

    # not held: the jury view (chief judge, organiser) and staff's results files
    jury = setup.standings(setup.chief, view="jury")["rows"]
    assert [(r["competitor"]["bib"], r["rank"]) for r in jury] == [("2", 1), ("3", 2), ("1", 3)]
    staff_csv = csv_rows(client.get(f"{url}/results.csv", headers=setup.organizer.headers))
    assert [(line[0], line[1]) for line in staff_csv] == [("1", "2"), ("2", "3"), ("3", "1")]

    # the ceremony: still held after the start and until the winner is revealed
    reveal = f"{url}/reveal"
    assert client.post(f"{reveal}/start", headers=setup.organizer.headers).get_json()["remaining"] == 3
    assert held(setup.standings()["rows"])
    for _ in range(2):
        assert client.post(f"{reveal}/next", headers=setup.organizer.headers).status_code == 200
    rows = {r["competitor"]["bib"]: r for r in setup.standings()["rows"]}
    assert rows["2"]["rank"] is None and rows["2"]["total"] is None and rows["1"]["rank"] == 3
    assert csv_rows(client.get(f"{url}/results.csv"))[0][0] == ""  # the winner's line still held
    winner = client.post(f"{reveal}/next", headers=setup.organizer.headers).get_json()
    assert winner["rank"] == 1 and winner["competitor"]["bib"] == "2"

    # after the last step: everything public
    public = setup.standings()["rows"]
    assert [(r["competitor"]["bib"], r["rank"]) for r in public] == [("2", 1), ("3", 2), ("1", 3)]
    assert all(r["total"] is not None and r["components"] for r in public)
    assert [line[0] for line in csv_rows(client.get(f"{url}/results.csv"))] == ["1", "2", "3"]
    assert [line[0] for line in xlsx_rows(client.get(f"{url}/results.xlsx"))] == [1, 2, 3]
    last = [payload for name, payload in events(sio) if name == "board:update"][-1]
    assert any(r["rank"] == 1 for r in last["rows"])


def test_without_a_ceremony_final_results_are_public_at_once(client, admin):
    setup = final_contest(client, admin)
    assert setup.transition("final").status_code == 200
    public = setup.standings()["rows"]
    assert [(r["competitor"]["bib"], r["rank"]) for r in public] == [("2", 1), ("3", 2), ("1", 3)]
    assert [line[0] for line in csv_rows(client.get(f"{setup.url}/results.csv"))] == ["1", "2", "3"]
