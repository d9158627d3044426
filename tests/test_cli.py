"""The one-off commands as a person uses them: `scraper extract FILE` and `scraper scrape URL`."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import cli
from scraper.cli import main
from scraper.config import FetchSettings
from tests.httpserver import LoopbackServer, Reply

PAGES = Path(__file__).parent / "pages"
RUDAW = (PAGES / "rudaw-jsonld.html").read_bytes()
LEGACY = (PAGES / "rudaw-legacy.html").read_bytes()


def _records(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_extract_reads_html_and_gzip_files(tmp_path: Path) -> None:
    gz = tmp_path / "legacy.html.gz"
    gz.write_bytes(gzip.compress(LEGACY))
    result = CliRunner().invoke(main, ["extract", str(PAGES / "rudaw-jsonld.html"), str(gz)])
    assert result.exit_code == 0, result.output
    first, second = _records(result.stdout)
    assert first["headline"] == "Syrian president receives Kurdish delegation in Damascus"
    assert first["url"] is None
    assert first["canonical_url"] == "https://www.rudaw.net/english/middleeast/syria/100320252"
    assert second["headline"] == "Erbil and Baghdad reach deal on salary payments"
    assert "Café owners" in str(second["body"])  # windows-1252 decoded from <meta http-equiv>
    assert result.stderr == ""


def test_extract_with_url_and_a_missing_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(LEGACY)
    missing = tmp_path / "missing.html"
    result = CliRunner().invoke(
        main, ["extract", str(missing), str(page), "--url", "https://example.com/a#x"])
    assert result.exit_code == 1
    (record,) = _records(result.stdout)
    assert record["url"] == "https://example.com/a#x"
    assert record["canonical_url"] == "https://example.com/a"
    assert result.stderr == f"scraper: {missing}: No such file or directory\n"


def test_extract_rejects_a_corrupt_gzip(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html.gz"
    bad.write_bytes(b"not gzip at all")
    # A valid gzip header over a damaged deflate stream: zlib raises its own error.
    damaged = tmp_path / "damaged.html.gz"
    damaged.write_bytes(gzip.compress(LEGACY)[:10] + b"\xff" * 40)
    result = CliRunner().invoke(main, ["extract", str(bad), str(damaged)])
    assert result.exit_code == 1
    assert result.stdout == ""
    first, second = result.stderr.splitlines()
    assert first.startswith(f"scraper: {bad}: ")
    assert second.startswith(f"scraper: {damaged}: ")
    assert "Traceback" not in result.output


def test_extract_refuses_files_that_are_not_pages(tmp_path: Path) -> None:
    picture = tmp_path / "pic.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.html"
    noise.write_bytes(bytes(range(256)) * 40)
    result = CliRunner().invoke(
        main, ["extract", str(picture), str(empty), str(noise), str(PAGES / "rudaw-jsonld.html")])
    assert result.exit_code == 1
    (record,) = _records(result.stdout)
    assert record["headline"] == "Syrian president receives Kurdish delegation in Damascus"
    assert result.stderr.splitlines() == [
        f"scraper: {picture}: not HTML or text: a PNG image",
        f"scraper: {empty}: not HTML or text: empty",
        f"scraper: {noise}: not HTML or text: binary data: 61% of its characters are control "
        "or replacement characters",
    ]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_scrape_prints_records_and_reports_each_failure(server: LoopbackServer) -> None:
    server.route("/story", Reply(body=RUDAW))
    server.route("/gone", Reply(404, b"<h1>Not found</h1>"))
    server.route("/photo.png", Reply(body=b"\x89PNG\r\n\x1a\n" + bytes(64),
                                     content_type="image/png"))
    dead = f"http://127.0.0.1:{_closed_port()}/story"
    urls = [server.url("/story"), server.url("/gone"), server.url("/photo.png"), dead]
    result = CliRunner().invoke(main, ["scrape", "--delay", "0", "--attempts", "1", *urls])
    assert result.exit_code == 1
    (record,) = _records(result.stdout)
    assert record["url"] == server.url("/story")
    assert record["dateline"] == "ERBIL, Kurdistan Region"
    assert record["fetched_at"].endswith("Z")
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert errors[0].startswith(f"scraper: {server.url('/gone')}: ") and "404" in errors[0]
    assert errors[1].startswith(f"scraper: {server.url('/photo.png')}: ")
    assert "image/png" in errors[1]
    assert errors[2].startswith(f"scraper: {dead}: ")
    assert "Traceback" not in result.output
    page_requests = server.requests_for("/story")
    assert len(page_requests) == 1
    assert page_requests[0].headers["user-agent"].startswith("scraper/")


def test_scrape_obeys_robots_txt_unless_told_not_to(server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n",
                                      content_type="text/plain"))
    server.route("/private/story", Reply(body=RUDAW))
    url = server.url("/private/story")
    refused = CliRunner().invoke(main, ["scrape", "--delay", "0", url])
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith(f"scraper: {url}: ") and "robots.txt" in refused.stderr
    assert server.requests_for("/private/story") == []
    allowed = CliRunner().invoke(main, ["scrape", "--delay", "0", "--ignore-robots", url])
    assert allowed.exit_code == 0, allowed.output
    assert len(server.requests_for("/private/story")) == 1


def test_scrape_appends_to_an_output_file(server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/a", Reply(body=RUDAW))
    server.route("/b", Reply(body=LEGACY, content_type="text/html"))
    out = tmp_path / "out.jsonl"
    for path in ("/a", "/b"):
        result = CliRunner().invoke(
            main, ["scrape", "--delay", "0", "--output", str(out), server.url(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["url"] for line in lines] == [server.url("/a"), server.url("/b")]
    assert json.loads(lines[1])["headline"] == "Erbil and Baghdad reach deal on salary payments"


def test_scrape_to_an_unwritable_output_says_so_and_fetches_nothing(
        server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/a", Reply(body=RUDAW))
    result = CliRunner().invoke(
        main, ["scrape", "--delay", "0", "--output", str(tmp_path), server.url("/a")])
    assert result.exit_code == 2
    assert result.stderr == f"scraper: {tmp_path}: Is a directory\n"
    assert server.requests == []


def test_scrape_follows_a_local_redirect_only_when_private_networks_are_allowed(
        server: LoopbackServer) -> None:
    server.route("/old", Reply(301, b"", headers={"Location": "/new"}))
    server.route("/new", Reply(body=RUDAW))
    url = server.url("/old")
    refused = CliRunner().invoke(main, ["scrape", "--delay", "0", url])
    assert refused.exit_code == 1
    assert refused.stderr.startswith(f"scraper: {url}: ")
    assert server.requests_for("/new") == []
    allowed = CliRunner().invoke(
        main, ["scrape", "--delay", "0", "--allow-private-networks", url])
    assert allowed.exit_code == 0, allowed.output
    assert _records(allowed.stdout)[0]["url"] == server.url("/new")


def test_scrape_defaults_are_the_fetchers(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[FetchSettings] = []

    async def fetch_nothing(urls: tuple[str, ...], settings: FetchSettings, *args: object
                            ) -> int:
        seen.append(settings)
        return 0

    monkeypatch.setattr(cli, "_scrape", fetch_nothing)
    result = CliRunner().invoke(main, ["scrape", "http://127.0.0.1:9/a"])
    assert result.exit_code == 0, result.output
    assert seen == [FetchSettings()]
    given = CliRunner().invoke(main, ["scrape", "--timeout", "5", "--max-bytes", "100",
                                      "--delay", "0", "--attempts", "1", "--ignore-robots",
                                      "http://127.0.0.1:9/a"])
    assert given.exit_code == 0, given.output
    assert seen[1] == FetchSettings(read_timeout=5.0, max_bytes=100, per_host_delay=0.0,
                                    max_attempts=1, respect_robots=False)
    help_text = " ".join(CliRunner().invoke(main, ["scrape", "--help"]).stdout.split())
    defaults = FetchSettings()
    for shown in (f"Read timeout (s). [default: {defaults.read_timeout}]",
                  f"--max-bytes INTEGER [default: {defaults.max_bytes}]",
                  f"one host. [default: {defaults.per_host_delay}]",
                  f"[default: {defaults.max_attempts}; 1<=x<=10]"):
        assert shown in help_text
