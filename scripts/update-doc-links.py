#!/usr/bin/env python3
"""Moves the line anchors of links like [dW = dZᵀ·X](../src/dense.cpp#L44) in docs/*.md to the
line of the file that holds the link's text, after that file was edited. A link whose line still
holds its text is left alone; otherwise it moves to the first line holding the text, preferring a
line of code with the text in its comment over a comment-only line. tests/test_docs.cpp checks
the result.

    scripts/update-doc-links.py            # rewrites docs/*.md in place, lists what moved
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[([^\]]+)\]\(\.\./([\w./-]+)#L(\d+)\)")


def best_line(lines, text):
    code, comment_only = [], []
    for number, line in enumerate(lines, 1):
        if text in line:
            (comment_only if line.lstrip().startswith("//") else code).append(number)
    found = code or comment_only
    return found[0] if found else None


def main():
    failed = False
    for doc in sorted((ROOT / "docs").glob("*.md")):
        original = doc.read_text()

        def move(m):
            nonlocal failed
            text, path, number = m.group(1), m.group(2), int(m.group(3))
            lines = (ROOT / path).read_text().splitlines()
            if 0 < number <= len(lines) and text in lines[number - 1]:
                return m.group(0)
            new = best_line(lines, text)
            if new is None:
                print(f"{doc.name}: '{text}' is not in {path}: fix the link or the comment", file=sys.stderr)
                failed = True
                return m.group(0)
            print(f"{doc.name}: '{text}' {path}#L{number} -> #L{new}")
            return f"[{text}](../{path}#L{new})"

        updated = LINK.sub(move, original)
        if updated != original:
            doc.write_text(updated)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
