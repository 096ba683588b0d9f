"""``newsbeam feeds``: manage and check feed subscriptions without running the pipeline.

- ``import-opml FILE``: an OPML subscription list → a feeds file (YAML) on stdout or ``--out``;
- ``discover URL``: the feeds a web page advertises (``<link rel="alternate">``), through the SSRF guard;
- ``check FILE``: poll each feed of a feeds file once and print one line per feed (HTTP status,
  format, entries, encoding, identity, error); exits 1 when any feed failed; publishes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import yaml

from connectors.errors import FetchError, HttpStatusError
from connectors.feed_discovery import discover
from connectors.http import HttpClient, HttpSettings, user_agent_for
from pipeline.config import ConfigError
from pipeline.feeds_file import MIN_POLL_INTERVAL, feed_url_problem, load_feeds
from transforms.dead_letters import UNEXPECTED
from transforms.feed_parsing import InvalidFeed, parse_feed
from transforms.opml import InvalidOpml, parse_opml


@click.group()
def feeds() -> None:
    """Import, discover and check feeds (nothing is published)."""


@feeds.command("import-opml")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="write here")
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=MIN_POLL_INTERVAL),
    default=300.0,
    show_default=True,
    help="seconds, for every feed",
)
def import_opml(opml_file: Path, out: Path | None, poll_interval: float) -> None:
    """Turn an OPML subscription list into a feeds file (YAML); refuse it, listing every outline whose
    feed URL cannot be polled (not http(s), does not parse, port out of range) with its line."""
    try:
        subscriptions = parse_opml(opml_file.read_bytes())
    except InvalidOpml as error:
        raise click.ClickException(f"{opml_file}: {error}") from error
    problems = [
        f"  {opml_file}:{sub.line}: outline {sub.name!r}: xmlUrl: {problem}"
        for sub in subscriptions
        if (problem := feed_url_problem(sub.url)) is not None
    ]
    if problems:
        raise click.ClickException(
            f"{opml_file} lists {len(problems)} feed(s) that cannot be polled; nothing was written:\n"
            + "\n".join(problems)
        )
    items: list[dict[str, Any]] = []
    for sub in subscriptions:
        item: dict[str, Any] = {"name": sub.name, "url": sub.url, "poll_interval": poll_interval}
        if sub.language:
            item["language"] = sub.language
        if sub.tags:
            item["tags"] = list(sub.tags)
        items.append(item)
    text = f"# imported from {opml_file.name} by `newsbeam feeds import-opml`\n" + yaml.safe_dump(
        {"feeds": items}, allow_unicode=True, sort_keys=False
    )
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{len(items)} feeds written to {out}", err=True)


@feeds.command("discover")
@click.argument("url")
@click.option("--allow-private-networks", is_flag=True, help="allow loopback/private addresses (tests)")
@click.option("--contact", default=None, help="contact URL for the User-Agent")
def discover_command(url: str, allow_private_networks: bool, contact: str | None) -> None:
    """Print the feeds the page at URL advertises: one `URL<TAB>kind<TAB>title` line each."""
    client = HttpClient(
        HttpSettings(allow_private_networks=allow_private_networks, user_agent=user_agent_for(contact))
    )
    try:
        found = discover(client, url)
    except FetchError as error:
        raise click.ClickException(f"{error.reason}: {error}") from error
    finally:
        client.close()
    if not found:
        click.echo(f"no feeds advertised by {url}", err=True)
        sys.exit(1)
    for feed in found:
        click.echo(f"{feed.url}\t{feed.kind}\t{feed.title}")


@feeds.command("check")
@click.argument("feeds_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--allow-private-networks", is_flag=True, help="allow loopback/private addresses (tests)")
@click.option("--fetch-budget", type=float, default=30.0, show_default=True, help="seconds per feed")
def check(feeds_file: Path, allow_private_networks: bool, fetch_budget: float) -> None:
    """Poll every feed of FEEDS_FILE once and report it; exit 1 if any failed. Publishes nothing."""
    try:
        loaded = load_feeds(feeds_file)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    settings = HttpSettings(
        user_agent=loaded.user_agent or user_agent_for(loaded.contact),
        allow_private_networks=allow_private_networks or loaded.allow_private_networks,
        allowed_networks=loaded.allowed_networks,
        total_timeout=fetch_budget,
    )
    client = HttpClient(settings)
    failed = 0
    try:
        for feed in loaded.feeds:
            status: int | str = "-"
            fields = {"format": "-", "entries": "-", "encoding": "-", "identity": "-"}
            problem = ""
            try:
                response = client.get(feed.url, max_bytes=settings.max_feed_bytes)
                status = response.status
                parsed = parse_feed(
                    feed,
                    response.body,
                    content_type=response.headers.get("content-type"),
                    final_url=response.url,
                )
                fields = {
                    "format": parsed.format or "?",
                    "entries": str(len(parsed.entries)),
                    "encoding": parsed.encoding,
                    "identity": parsed.identity,
                }
                if parsed.malformed:
                    problem = f"malformed_feed: {parsed.warning}"
                elif parsed.rejected:
                    problem = "rejected: " + ", ".join(sorted({reason for reason, _ in parsed.rejected}))
            except HttpStatusError as failure:
                status, problem = failure.status, f"{failure.reason}: {failure}"
            except (FetchError, InvalidFeed) as failure:
                problem = f"{failure.reason}: {failure}"
            except Exception as failure:  # one feed that trips newsbeam up is reported, the others checked
                problem = f"{UNEXPECTED}: {type(failure).__name__}: {failure}"
            ok = not problem or problem.startswith("rejected")
            failed += 0 if ok else 1
            click.echo(
                f"{'OK  ' if ok else 'FAIL'} {feed.name}\tstatus={status}\tformat={fields['format']}\t"
                f"entries={fields['entries']}\tencoding={fields['encoding']}\tidentity={fields['identity']}"
                + (f"\terror={problem}" if problem else "")
            )
    finally:
        client.close()
    click.echo(f"{len(loaded.feeds) - failed} of {len(loaded.feeds)} feeds OK", err=True)
    sys.exit(1 if failed else 0)
