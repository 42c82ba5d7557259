#!/usr/bin/env python3
"""Generates a fan list CSV: N contacts, 5% of them repeated with other case/spacing in the
e-mail (the duplicates an import must merge). Deterministic (seeded)."""
import random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
out = sys.argv[2] if len(sys.argv) > 2 else "fans.csv"
rng = random.Random(42)
first = ["Ada", "Lin", "Wei", "Jay", "Faye", "Sam", "Noor", "Yuki", "Omar", "Lena", "杰伦", "菲", "巧", "伟"]
last = ["Chen", "Wang", "Li", "Zhang", "Smith", "Garcia", "Kim", "Sato", "Qiao", "周", "王", "林"]
cities = [("Shanghai", "CN"), ("Beijing", "CN"), ("台北", "TW"), ("Austin", "US"), ("London", "GB"), ("Berlin", "DE"), ("Tokyo", "JP"), ("北京", "CN")]
tags = ["vip", "merch", "newsletter", "tour-2026", "vinyl", ""]
rows = []
for i in range(n):
    f, l = rng.choice(first), rng.choice(last)
    name = f"{l}{f}" if not f.isascii() else f"{f} {l}"
    city, cc = rng.choice(cities)
    rows.append([name, f"fan{i}@example.com", city, cc, rng.choice(tags)])
dups = []
for i in rng.sample(range(n), n // 20):
    name, email, city, cc, tag = rows[i]
    dups.append([name, "  " + email.upper() + " ", city, cc, "dup"])
all_rows = rows + dups
rng.shuffle(all_rows)
with open(out, "w", encoding="utf-8") as fh:
    fh.write("Name,Email,City,Country,Tags\n")
    for r in all_rows:
        fh.write(",".join(r) + "\n")
print(f"{out}: {len(all_rows)} rows ({len(dups)} duplicates)")
