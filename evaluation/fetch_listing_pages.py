"""Rebuild the git-ignored local copies of the labelled listing pages (evaluation/local/pages/).

    python -m evaluation.fetch_listing_pages [--force] [--mirror-root DIR]

For every page of evaluation/manifests/listing_pages.json the script takes the file at the recorded
commit from a fetched mirror of the repository if one is present (a git directory under
/work/.mirror/<owner>+<name>/, read with `git --git-dir=… show COMMIT:PATH`), else downloads
https://raw.githubusercontent.com/{repo}/{commit}/{path}. Pages already present are left alone unless
--force is given. Nothing downloaded here is committed: evaluation/local/ is in .gitignore.

The copies made in the session that labelled the pages are transcriptions of the repository files
(the search tool's reader, no network): script and style bodies elided, a few long tails of scripts
and footers left out, as the manifest's notes say page by page. A rebuild gets the complete files;
the labels are the articles linked in the parts that were read, and the unread parts are scripts,
footers and popups, so the figures should stay the same, but they are measured on the transcriptions.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent
MANIFEST = ROOT / "manifests" / "listing_pages.json"
LOCAL = ROOT / "local" / "pages"
MIRROR_ROOT = Path("/work/.mirror")
MAX_BYTES = 8 * 1024 * 1024


def from_mirror(mirror_root: Path, repo: str, commit: str, path: str) -> bytes | None:
    base = mirror_root / repo.replace("/", "+")
    for git_dir in (base / "repo", base):
        if not (git_dir / "HEAD").is_file():
            continue
        done = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
            capture_output=True,
            check=False,
            timeout=120,
        )
        if done.returncode == 0 and done.stdout:
            return done.stdout
    return None


def from_github(repo: str, commit: str, path: str) -> bytes:
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=60) as response:  # a fixed https host
        body: bytes = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"{url}: larger than {MAX_BYTES} bytes")
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", action="store_true", help="replace copies that are already present")
    parser.add_argument("--mirror-root", type=Path, default=MIRROR_ROOT)
    args = parser.parse_args(argv)
    pages = json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"]
    LOCAL.mkdir(parents=True, exist_ok=True)
    failed = 0
    for entry in pages:
        target = LOCAL / f"{entry['id']}.html"
        if target.is_file() and not args.force:
            print(f"{entry['id']}: present")
            continue
        repo, commit, path = entry["repo"], entry["commit"], entry["path"]
        body = from_mirror(args.mirror_root, repo, commit, path)
        source = "mirror"
        if body is None:
            try:
                body = from_github(repo, commit, path)
                source = "raw.githubusercontent.com"
            except (OSError, ValueError) as error:
                print(f"{entry['id']}: not rebuilt ({error})", file=sys.stderr)
                failed += 1
                continue
        target.write_bytes(body)
        print(f"{entry['id']}: {len(body)} bytes from {source}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
