"""Benchmark (not a test): articles per second of ``detect_language`` + ``flag_regulation`` on one core.

Run: ``python tests/bench/bench_flagger.py [--seconds 5] [--words 800] [--profile]``. Articles of about 800 words
are built by concatenating evaluation items of one language (title of the first, bodies of several), so every
language is represented. Prints the figure; it never asserts on time (machines differ).

Three rates are printed: language identification + flagging (what the FlagRegulation stage does) per
wall-clock second (what an idle core gives) and per CPU-second of this process (what the code costs when other
work shares the core: the machine's load is printed beside them), and ``flag_regulation`` alone per CPU-second.
Pin it to one core with ``taskset -c 0`` for a per-core figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from transforms.language import detect_language  # noqa: E402
from transforms.regulation import flag_regulation, warm_up  # noqa: E402

EVAL_DIR = REPO / "tests" / "eval" / "regulation" / "written"
CJK = {"ja", "zh"}


def _size(text: str, language: str) -> int:
    # CJK has no spaces: count ~2 characters per word, which is what an 800-word article's length looks like.
    return len(text) // 2 if language in CJK else len(text.split())


def build_articles(words: int) -> list[tuple[str, str]]:
    """``(title, text)`` pairs of about ``words`` words, built by rotating through each language's items."""
    articles: list[tuple[str, str]] = []
    for path in sorted(EVAL_DIR.glob("*.jsonl")):
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        language = items[0]["language"]
        for start in range(len(items)):
            title = items[start]["title"]
            paragraphs: list[str] = []
            index = start
            while _size(" ".join(paragraphs), language) < words:
                item = items[index % len(items)]
                paragraphs.append(f"{item['title']}. {item['text']}")
                index += 1
            articles.append((title, "\n\n".join(paragraphs)))
    return articles


def run(seconds: float, words: int) -> tuple[float, float, float]:
    """Classify articles for about ``seconds``.

    Returns articles per wall-clock second and per CPU-second of language identification + flagging (what the
    FlagRegulation stage does), and per CPU-second of ``flag_regulation`` alone (the languages detected once,
    before the clock starts).
    """
    articles = build_articles(words)
    warm_up()
    detect_language("warm up the model")
    languages = [detect_language(f"{title}\n{text}") for title, text in articles]
    for (title, text), language in zip(articles, languages, strict=True):  # every automaton built beforehand
        flag_regulation(title, text, language)
    done = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for title, text in articles:
            language = detect_language(f"{title}\n{text}")
            flag_regulation(title, text, language)
        done += len(articles)
    rate, cpu_rate = done / (time.perf_counter() - started), done / (time.process_time() - cpu_started)
    alone = 0
    cpu_started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for (title, text), language in zip(articles, languages, strict=True):
            flag_regulation(title, text, language)
        alone += len(articles)
    return rate, cpu_rate, alone / (time.process_time() - cpu_started)


def main() -> int:
    """Print the benchmark figure (optionally a pyinstrument profile)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument(
        "--profile", action="store_true", help="profile with pyinstrument (pip install pyinstrument)"
    )
    args = parser.parse_args()
    articles = build_articles(args.words)
    mean_chars = sum(len(t) + len(x) for t, x in articles) / len(articles)
    print(f"{len(articles)} articles of ~{args.words} words (mean {mean_chars:.0f} characters)")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
        rate, cpu_rate, flagger_rate = run(args.seconds, args.words)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False))
    else:
        rate, cpu_rate, flagger_rate = run(args.seconds, args.words)
    load = os.getloadavg()[0]
    print(
        f"flag_regulation + detect_language: {rate:,.0f} articles/s (wall clock), "
        f"{cpu_rate:,.0f} articles per CPU-second; load average {load:.2f} on {os.cpu_count()} cores"
    )
    print(f"flag_regulation alone: {flagger_rate:,.0f} articles per CPU-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
