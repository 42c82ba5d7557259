#!/usr/bin/env python3
"""Generates a DistroKid bank-details TSV (the 2023 layout, CRLF) for the import benchmark.

usage: gen_distrokid.py LINES OUT.tsv [--seed N] [--month YYYY-MM] [--catalog 400]

Lines reference a catalog of N tracks (ISRC QZRDB26NNNNN, titles "Track NNN" by "Bench Artist K")
that gen_catalog.sh creates: ~90% carry the ISRC, ~5% only title + artist, ~5% match nothing.
Amounts have 8-10 decimals, as DistroKid's do.
"""
import random
import sys

HEADER = ("Reporting Date\tSale Month\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\t"
          "Song/Album\tCountry of Sale\tSongwriter Royalties Withheld\tEarnings (USD)")
STORES = ["Spotify", "Apple Music", "iTunes", "Amazon Unlimited", "Amazon Prime", "YouTube (Ads)", "YouTube (Red)",
          "Deezer", "Tidal", "Napster", "Pandora", "TikTok", "Facebook", "Instagram", "Anghami", "Boomplay",
          "Tencent", "NetEase", "JioSaavn", "KKBox", "Audiomack", "SoundCloud", "Qobuz", "iHeartRadio", "Shazam"]
COUNTRIES = ("US GB DE FR CN JP BR MX CA AU IT ES NL SE NO DK FI PL RU IN KR TW HK SG ID PH TH VN MY NZ IE "
             "BE AT CH PT GR TR ZA NG KE EG AR CL CO PE").split()


def main():
    args = sys.argv[1:]
    lines, out = int(args[0]), args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    month = args[args.index("--month") + 1] if "--month" in args else "2026-10"
    catalog = int(args[args.index("--catalog") + 1]) if "--catalog" in args else 400
    rnd = random.Random(seed)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\r\n")
        buf = []
        for i in range(lines):
            t = rnd.randrange(catalog)
            kind = rnd.random()
            artist = f"Bench Artist {t // 10}"
            title = f"Track {t:03d}"
            isrc = f"QZRDB26{t:05d}"
            if kind > 0.95:  # matches nothing
                title, isrc, artist = f"Unknown {rnd.randrange(50)}", "", "Someone Else"
            elif kind > 0.90:  # title + artist only
                isrc = ""
            qty = rnd.randrange(1, 500)
            amount = f"{rnd.randrange(0, 10**9) / 10**10:.10f}".rstrip("0") or "0"
            sale = f"{2025 + rnd.randrange(2)}-{rnd.randrange(1, 13):02d}"
            buf.append(f"{month}-15\t{sale}\t{rnd.choice(STORES)}\t{artist}\t{title}\t{isrc}\t\t{qty}\t100\tSong\t"
                       f"{rnd.choice(COUNTRIES)}\t0\t{amount}\r\n")
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


if __name__ == "__main__":
    main()
