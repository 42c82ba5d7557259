"""Stages a generated fan list (bench/gen_fans.py) as the import would store it: duplicates (same
e-mail in other case/spacing) merged, the ids, timestamps and clock texts the app writes."""
import csv
import sys

src, out = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src, encoding="utf-8")))[1:]
workspace = "01a21c25-d55b-730d-84cc-3f2821f36b3c"
now = "2026-11-27T08:36:11.234380559+00:00"
hlc = "001795768571234-00000-01a21c25d54b"
seen = set()
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    n = 0
    for line, (name, email, city, country, tags) in enumerate(rows, start=2):
        email = email.strip().lower()
        if email in seen:
            continue
        seen.add(email)
        n += 1
        w.writerow([n, "93efd7ce-48ca-8000-8000-%012x" % line, workspace, name, city, country, now, hlc, email, tags])
