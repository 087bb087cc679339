"""Rebuild evaluation/local/stories-gwangju-leads.jsonl: the lead of every article in the manifest.

    python -m evaluation.rebuild_stories_leads [--force]

Each URL is fetched with scrapers.fetch.Fetcher and read with scrapers.article.parse_article, and the
lead is taken from the article text exactly as the pipeline takes it (bot.stories.lead_of). Needs
network; rows already present are kept unless --force. Pages that no longer answer keep no lead (the
evaluation then compares that row by its title only) and are listed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from bot.config import FetchConfig
from bot.stories import lead_of
from evaluation.stories import LEADS, MANIFEST, load_leads, load_manifest
from scrapers.article import parse_article
from scrapers.fetch import Fetcher, FetchError


async def _fetch_leads(urls: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    found: dict[str, str] = {}
    failed: list[str] = []
    async with Fetcher(FetchConfig()) as fetcher:
        for row_id, url in urls.items():
            try:
                result = await fetcher.fetch(url)
            except FetchError as exc:
                failed.append(f"{row_id} {url}: {exc}")
                continue
            lead = lead_of(parse_article(result.text, result.url).text)
            if lead:
                found[row_id] = lead
            else:
                failed.append(f"{row_id} {url}: no article text")
    return found, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.rebuild_stories_leads")
    parser.add_argument("--force", action="store_true", help="fetch every row again")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--out", type=Path, default=LEADS)
    args = parser.parse_args(argv)
    manifest = load_manifest(args.manifest)
    leads = {} if args.force else (load_leads(args.out) or {})
    todo = {str(row["id"]): str(row["url"]) for row in manifest if str(row["id"]) not in leads}
    found, failed = asyncio.run(_fetch_leads(todo))
    leads.update(found)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in manifest:
            if str(row["id"]) in leads:
                fh.write(json.dumps({"id": row["id"], "lead": leads[str(row["id"])]}, ensure_ascii=False) + "\n")
    print(f"{len(leads)} leads in {args.out}; {len(found)} fetched now, {len(failed)} failed")
    for line in failed:
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
